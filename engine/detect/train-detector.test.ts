import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { tf } from '../runtime/tensorflow.ts';
import { loadDetector } from './detector.ts';
import { createDetectorNetwork, type DetectorArchitecture } from './detector-network.ts';
import { loadLayersModel } from '../models/layers-model-io.ts';
import { syntheticBank, syntheticLabelledBank } from '../testing/synthetic-bank.ts';
import {
  DEFAULT_TRAIN_DETECTOR,
  splitByGroup,
  trainDetector,
  type TrainDetectorConfig,
} from './train-detector.ts';

const tiny: DetectorArchitecture = { inputSize: 32, widths: [8, 16, 16], boundaryStage: 2, dropout: 0 };
const config: TrainDetectorConfig = {
  ...DEFAULT_TRAIN_DETECTOR,
  architecture: tiny,
  steps: 30,
  pairsPerStep: 6,
  learningRate: 5e-3,
  evalEvery: 10,
  checkpointEvery: 10,
  validationFraction: 0.34,
  pairWorkers: 0,
};

test('splitting by group keeps every identity on one side', () => {
  const bank = syntheticBank(12);
  const { train, validation, validationGroups } = splitByGroup(bank, 0.34, 3);
  assert.equal(train.length + validation.length, 12);
  assert.equal(validationGroups.length, 1);
  for (const i of train) assert.ok(!validationGroups.includes(bank.entries[i]!.group));
  for (const i of validation) assert.ok(validationGroups.includes(bank.entries[i]!.group));
});

test('a tiny training run lowers the loss, leaks no tensors and writes a loadable calibrated model', async () => {
  const bank = syntheticBank(12);
  const out = await mkdtemp(join(tmpdir(), 'unmask-train-'));
  const baseline = tf.memory().numTensors;
  const result = await trainDetector({ reals: bank }, out, config);
  assert.equal(tf.memory().numTensors, baseline, 'training leaves no tensors behind');
  assert.equal(result.steps, 30);
  const first = result.log.slice(0, 5).reduce((s, e) => s + e.loss, 0) / 5;
  const last = result.log.slice(-5).reduce((s, e) => s + e.loss, 0) / 5;
  assert.ok(last < first, `loss went down: ${first.toFixed(3)} → ${last.toFixed(3)}`);
  assert.ok(existsSync(join(out, 'checkpoint', 'state.json')), 'a finished run keeps its checkpoint');
  assert.deepEqual(
    result.sessions.map((s) => s.fromStep),
    [0],
  );
  const detector = await loadDetector({ modelDir: result.modelDir });
  assert.equal(detector.metadata.architecture.inputSize, 32);
  assert.equal(detector.metadata.calibration.method, 'platt');
  detector.dispose();
});

test('an interrupted run resumes from its checkpoint', async () => {
  const bank = syntheticBank(12);
  const out = await mkdtemp(join(tmpdir(), 'unmask-train-resume-'));
  const controller = new AbortController();
  const partial = await trainDetector(
    { reals: bank },
    out,
    config,
    (event) => {
      if (event.done >= 20) controller.abort();
    },
    controller.signal,
  );
  assert.equal(partial.steps, 20);
  assert.ok(existsSync(join(out, 'checkpoint', 'state.json')));
  const resumed = await trainDetector({ reals: bank }, out, config);
  assert.equal(resumed.steps, 30);
  assert.equal(resumed.log.length, 30, 'the log continues from step 20');
  assert.deepEqual(
    resumed.log.slice(0, 20).map((e) => e.step),
    partial.log.map((e) => e.step),
  );
  assert.equal(resumed.sessions.length, 1, 'a resume with the same settings is the same session');
  const longer = await trainDetector({ reals: bank }, out, { ...config, steps: 36, learningRate: 1e-3 });
  assert.equal(longer.steps, 36, 'a finished run trains on when given more steps');
  assert.deepEqual(
    longer.log.slice(0, 30).map((e) => e.step),
    resumed.log.map((e) => e.step),
  );
  assert.deepEqual(
    longer.sessions.map((s) => [s.fromStep, s.config.steps, s.config.learningRate]),
    [
      [0, 30, 5e-3],
      [30, 36, 1e-3],
    ],
    'the changed settings start a second session',
  );
});

test('a checkpoint resumes at a larger input size with its weights carried over', async () => {
  const bank = syntheticBank(12, 48);
  const out = await mkdtemp(join(tmpdir(), 'unmask-train-resize-'));
  await trainDetector({ reals: bank }, out, { ...config, steps: 10 });
  const before = (await loadLayersModel(join(out, 'checkpoint', 'model'))).model;
  const wider = { ...config, architecture: { ...tiny, inputSize: 48 }, steps: 12 };
  const resumed = await trainDetector({ reals: bank }, out, wider);
  assert.equal(resumed.steps, 12);
  assert.ok(resumed.log.slice(10).every((e) => Number.isFinite(e.loss)));
  assert.deepEqual(
    resumed.sessions.map((s) => [s.fromStep, s.config.architecture.inputSize]),
    [
      [0, 32],
      [10, 48],
    ],
  );
  const after = (await loadLayersModel(join(out, 'checkpoint', 'model'))).model;
  assert.deepEqual(after.inputs[0]!.shape, [null, 48, 48, 3]);
  const firstKernel = (m: tf.LayersModel) => Array.from(m.getWeights()[0]!.dataSync());
  const [was, now] = [firstKernel(before), firstKernel(after)];
  const change = now.reduce((s, v, i) => s + Math.abs(v - was[i]!), 0);
  assert.ok(
    change < 0.25 * was.reduce((s, v) => s + Math.abs(v), 0),
    'carried over: two steps moved it a little, a fresh network would differ wholly',
  );
  const detector = await loadDetector({ modelDir: resumed.modelDir });
  assert.equal(detector.metadata.architecture.inputSize, 48);
  detector.dispose();
  before.dispose();
  after.dispose();
});

test('a checkpoint whose network does not fit the new architecture is refused with a reason', async () => {
  const out = await mkdtemp(join(tmpdir(), 'unmask-train-misfit-'));
  await trainDetector({ reals: syntheticBank(12) }, out, { ...config, steps: 2 });
  await assert.rejects(
    trainDetector({ reals: syntheticBank(12, 48) }, out, {
      ...config,
      architecture: { ...tiny, inputSize: 48, widths: [8, 16, 24] },
      steps: 4,
    }),
    /does not fit the requested architecture at 48 px/,
  );
});

test('known fakes (--fake) join the batches and training still lowers the loss', async () => {
  const bank = syntheticBank(12);
  const fakes = syntheticBank(5);
  fakes.crops.reverse();
  const out = await mkdtemp(join(tmpdir(), 'unmask-train-fakes-'));
  const result = await trainDetector({ reals: bank, knownFakes: fakes }, out, {
    ...config,
    steps: 20,
    knownFakesPerStep: 3,
  });
  assert.equal(result.steps, 20);
  const first = result.log.slice(0, 4).reduce((s, e) => s + e.loss, 0) / 4;
  const last = result.log.slice(-4).reduce((s, e) => s + e.loss, 0) / 4;
  assert.ok(last < first, `loss went down: ${first.toFixed(3)} → ${last.toFixed(3)}`);
});

test('labelled pairs and self-blends train together; the dataset validates and calibrates', async () => {
  const labelled = {
    train: syntheticLabelledBank(8, 'train'),
    val: syntheticLabelledBank(4, 'val'),
  };
  const out = await mkdtemp(join(tmpdir(), 'unmask-train-mixed-'));
  const baseline = tf.memory().numTensors;
  const result = await trainDetector({ reals: syntheticBank(12), labelled }, out, {
    ...config,
    pairsPerStep: 3,
    supervisedPairsPerStep: 3,
    rankingLossWeight: 1,
  });
  assert.equal(tf.memory().numTensors, baseline, 'training leaves no tensors behind');
  assert.ok(
    result.log.every((e) => Number.isFinite(e.rankingLoss) && e.rankingLoss! > 0),
    'ranking loss logged',
  );
  const evals = result.log.filter((e) => e.step % config.evalEvery === 0);
  assert.equal(evals.length, 3);
  for (const e of evals) {
    assert.ok(e.validationAuc! >= 0 && e.validationAuc! <= 1, 'self-blend validation each time');
    assert.ok(
      e.supervisedValidationAuc! >= 0 && e.supervisedValidationAuc! <= 1,
      'dataset validation each time',
    );
  }
  assert.equal(result.calibratedOn, 'dataset-val');
  assert.ok(result.supervisedValidationAuc > 0.5, `dataset val AUC ${result.supervisedValidationAuc}`);
  const detector = await loadDetector({ modelDir: result.modelDir });
  assert.deepEqual(detector.metadata.calibration, result.calibration);
  detector.dispose();
});

test('labelled pairs alone (no footage, no self-blends) are enough to train', async () => {
  const labelled = { train: syntheticLabelledBank(8, 'train'), val: syntheticLabelledBank(4, 'val') };
  const out = await mkdtemp(join(tmpdir(), 'unmask-train-supervised-'));
  const result = await trainDetector({ labelled }, out, {
    ...config,
    steps: 20,
    pairsPerStep: 0,
    supervisedPairsPerStep: 4,
  });
  assert.equal(result.steps, 20);
  assert.ok(Number.isNaN(result.validationAuc), 'no footage, so no self-blend validation');
  const first = result.log.slice(0, 4).reduce((s, e) => s + e.loss, 0) / 4;
  const last = result.log.slice(-4).reduce((s, e) => s + e.loss, 0) / 4;
  assert.ok(last < first, `loss went down: ${first.toFixed(3)} → ${last.toFixed(3)}`);
});

for (const trainWorkers of [1, 2]) {
  test(`the MobileNetV2 backbone trains (${trainWorkers} worker${trainWorkers > 1 ? 's' : ''}) with frozen batch-norm statistics`, async () => {
    const labelled = {
      train: syntheticLabelledBank(6, 'train', 64),
      val: syntheticLabelledBank(2, 'val', 64),
    };
    const out = await mkdtemp(join(tmpdir(), 'unmask-train-mobilenet-'));
    const architecture: DetectorArchitecture = {
      backbone: 'mobilenet-v2',
      inputSize: 64,
      widths: [],
      boundaryStage: 3,
      dropout: 0.2,
    };
    const result = await trainDetector({ reals: syntheticBank(6, 64), labelled }, out, {
      ...config,
      architecture,
      steps: 4,
      evalEvery: 2,
      checkpointEvery: 2,
      pairsPerStep: 2,
      supervisedPairsPerStep: 2,
      learningRate: 1e-4,
      trainWorkers,
    });
    assert.equal(result.steps, 4);
    assert.ok(result.log.every((e) => Number.isFinite(e.loss)));
    const trained = await loadDetector({ modelDir: result.modelDir });
    assert.equal(trained.metadata.architecture.backbone, 'mobilenet-v2');
    const fresh = await createDetectorNetwork(architecture, 1);
    const weights = (await loadLayersModel(result.modelDir)).model;
    const stat = (m: tf.LayersModel, name: string) =>
      m
        .getLayer('block_3_expand_BN')
        .weights.find((w) => w.name.includes(name))!
        .read()
        .dataSync();
    assert.deepEqual(stat(weights, 'moving_mean'), stat(fresh, 'moving_mean'), 'moving statistics untouched');
    const kernel = (m: tf.LayersModel) => m.getLayer('block_3_expand').getWeights()[0]!.dataSync();
    assert.notDeepEqual(kernel(weights), kernel(fresh), 'the backbone itself was fine-tuned');
    fresh.dispose();
    weights.dispose();
    trained.dispose();
  });
}

test('the plain backbone refuses data-parallel training (its batch-norm statistics are not shared)', async () => {
  const out = await mkdtemp(join(tmpdir(), 'unmask-train-refuse-'));
  await assert.rejects(
    trainDetector({ reals: syntheticBank(12) }, out, { ...config, trainWorkers: 2 }),
    /frozen batch norm/,
  );
});
