import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_CONTINUAL, logitAuc } from '../learn/continual.ts';
import { disposeImportance, type Importance } from '../learn/mas.ts';
import { initTensorflow, tf } from '../runtime/tensorflow.ts';
import { syntheticBank } from '../testing/synthetic-bank.ts';
import { createRandom } from '../util/random.ts';
import { buildDetectorNetwork, type DetectorArchitecture } from './detector-network.ts';
import type { FaceBank } from './face-bank.ts';
import {
  CALIBRATION_BLEND_SEED,
  faceCropsTensor,
  learnManipulation,
  oldTaskInputs,
  refitCalibration,
  selfBlendSet,
  splitBySource,
  type SourceSplit,
} from './learn-manipulation.ts';

const tiny: DetectorArchitecture = { inputSize: 32, widths: [4, 8], boundaryStage: 2, dropout: 0 };

/** `count` noisy synthetic faces over `sources` source files; `fake` ones have a slightly brighter mouth. */
function bank(count: number, sources: number, fake = false): FaceBank {
  const base = syntheticBank(count);
  const { size } = base;
  const random = createRandom(fake ? 7 : 3);
  for (let i = 0; i < base.crops.length; i++) base.crops[i] = random.int(40, 200);
  if (fake) {
    for (let i = 0; i < count; i++)
      for (let y = 20; y < 26; y++)
        for (let x = 10; x < 22; x++)
          for (let c = 0; c < 3; c++) base.crops[((i * size + y) * size + x) * 3 + c]! += 30;
  }
  base.entries.forEach((e, i) => (e.group = `${fake ? 'fake' : 'real'}-${i % sources}.mp4`));
  return base;
}

function meanOf(importance: Importance): number {
  const values = [...importance.values()];
  const total = tf.tidy(() => tf.addN(values.map((t) => tf.sum(t))).dataSync()[0]!);
  return total / values.reduce((s, t) => s + t.size, 0);
}

test('splitBySource keeps every source on one side: a quarter to validation and test, or one to validation', () => {
  const groupsOf = (b: FaceBank, faces: number[]) => new Set(faces.map((i) => b.entries[i]!.group));
  for (const [sources, expected] of [
    [1, [1, 0, 0]],
    [2, [1, 1, 0]],
    [3, [1, 1, 1]],
    [8, [4, 2, 2]],
  ] as const) {
    const b = bank(24, sources);
    const split = splitBySource(b, 1);
    const sides = (['train', 'validation', 'test'] as const).map((k) => groupsOf(b, split[k]));
    assert.deepEqual(
      sides.map((s) => s.size),
      [...expected],
      `${sources} sources`,
    );
    const all = sides.flatMap((s) => [...s]);
    assert.equal(new Set(all).size, all.length, 'no source on two sides');
    assert.equal(split.train.length + split.validation.length + split.test.length, 24);
  }
});

test('Ω is measured on real faces and a self-blend of each: twice as many inputs as faces', async () => {
  await initTensorflow();
  const b = bank(10, 2);
  const faces = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const capped = oldTaskInputs(b, faces, tiny, 4);
  const all = oldTaskInputs(b, faces, tiny, 64);
  assert.deepEqual(capped.shape, [8, 32, 32, 3]);
  assert.equal(all.shape[0], 20);
  // The first half is the real crops, the second their blends: they differ.
  const [reals, blends] = tf.split(all, 2);
  assert.ok(tf.tidy(() => tf.max(tf.abs(tf.sub(reals!, blends!))).dataSync()[0]!) > 0.05);
  tf.dispose([capped, all, reals!, blends!]);
});

test('learnManipulation: Ω scaled to mean 1 and added over tasks, early stopping keeps the best weights, no tensor leaks', async () => {
  await initTensorflow();
  const real = bank(48, 8);
  const fake = bank(48, 8, true);
  const model = buildDetectorNetwork(tiny, 3);
  const config = {
    ...DEFAULT_CONTINUAL,
    steps: 30,
    evalEvery: 5,
    patience: 2,
    importanceFaces: 6,
    learningRate: 5e-3,
    // This untrained toy's old task is noise; a light penalty lets the new task show that it was learned.
    lambda: 0.03,
  };
  const tensorsBefore = tf.memory().numTensors;
  const first = await learnManipulation(model, tiny, real, fake, { config });
  const anchorTensors = first.result.importance.size + first.result.anchors.size;
  assert.equal(tf.memory().numTensors - tensorsBefore, anchorTensors, 'only Ω and θ* are left');

  assert.equal(first.importanceInputs, 12, '6 real faces and their 6 self-blends');
  assert.ok(
    Math.abs(meanOf(first.result.importance) - 1) < 1e-4,
    `mean Ω ${meanOf(first.result.importance)}`,
  );
  assert.equal(first.config.lambda, 0.03);
  assert.equal(first.config.importanceOutputs, 'all', 'Ω of both heads');
  assert.equal(first.evaluatedOn, 'test');
  assert.deepEqual(first.sources.real, { train: 4, validation: 2, test: 2 });
  assert.ok(first.earlyStopping);
  assert.ok(first.newTask.after > first.newTask.before, JSON.stringify(first.newTask));
  assert.equal(first.oldTask.blends, 2);

  // The weights kept are those of the best validation AUC (validation sources rebuilt as the run built them).
  const validationAuc = Math.max(...first.result.history.map((h) => h.validationAuc));
  assert.equal(
    first.result.history.find((h) => h.step === first.result.bestStep)!.validationAuc,
    validationAuc,
  );
  const realSplit: SourceSplit = splitBySource(real, 1);
  const fakeSplit: SourceSplit = splitBySource(fake, 1);
  const validation = {
    x: tf.concat([
      faceCropsTensor(real, realSplit.validation, 32),
      faceCropsTensor(fake, fakeSplit.validation, 32),
    ]),
    y: [...realSplit.validation.map(() => 0), ...fakeSplit.validation.map(() => 1)],
  };
  assert.ok(Math.abs((await logitAuc(model, validation)) - validationAuc) < 1e-9, 'best weights restored');

  // The calibration is refitted on the learned weights, over both tasks' validation sources.
  const oldValidation = selfBlendSet(real, realSplit.validation, 1, CALIBRATION_BLEND_SEED, tiny);
  const expected = await refitCalibration(model, [validation, oldValidation]);
  assert.ok(first.calibration, 'a validation split exists, so the calibration is refitted');
  assert.ok(
    Math.abs(first.calibration.a - expected.a) < 1e-9 && Math.abs(first.calibration.b - expected.b) < 1e-9,
  );
  assert.ok(first.calibration.a > 0, `higher logits mean more likely fake (a = ${first.calibration.a})`);
  tf.dispose([validation.x, oldValidation.x]);

  // A second task adds its own mean-1 Ω to the first's.
  const second = await learnManipulation(model, tiny, real, fake, { config, previous: first.result });
  assert.ok(
    Math.abs(meanOf(second.result.importance) - 2) < 1e-3,
    `mean Ω ${meanOf(second.result.importance)}`,
  );
  for (const m of [
    first.result.importance,
    first.result.anchors,
    second.result.importance,
    second.result.anchors,
  ])
    disposeImportance(m);
  model.dispose();
});

test('learnManipulation with the Hebbian Ω: scaled to mean 1, added over tasks, unlike MAS Ω, no tensor leaks', async () => {
  await initTensorflow();
  const real = bank(32, 8);
  const fake = bank(32, 8, true);
  const config = { ...DEFAULT_CONTINUAL, steps: 4, evalEvery: 2, patience: 1, importanceFaces: 6 };
  const runs = new Map<string, Importance>();
  for (const importance of ['mas', 'hebbian'] as const) {
    const model = buildDetectorNetwork(tiny, 3);
    const tensorsBefore = tf.memory().numTensors;
    const first = await learnManipulation(model, tiny, real, fake, { config, importance });
    assert.equal(first.importance, importance);
    assert.ok(Math.abs(meanOf(first.result.importance) - 1) < 1e-4, `${importance}: mean Ω`);
    const second = await learnManipulation(model, tiny, real, fake, {
      config,
      importance,
      previous: first.result,
    });
    assert.ok(Math.abs(meanOf(second.result.importance) - 2) < 1e-3, `${importance}: Ω added over tasks`);
    const kept = [first.result, second.result].reduce((n, r) => n + r.importance.size + r.anchors.size, 0);
    assert.equal(tf.memory().numTensors - tensorsBefore, kept, `${importance}: only Ω and θ* are left`);
    runs.set(importance, first.result.importance);
    disposeImportance(first.result.anchors);
    disposeImportance(second.result.importance);
    disposeImportance(second.result.anchors);
    model.dispose();
  }
  // Both start from the same weights and inputs, so a difference comes from how Ω is measured.
  // (Each model's variables get their own unique names, so the first stage's kernel is found by its layer.)
  const firstKernel = (importance: Importance) =>
    [...importance].find(([name]) => name.startsWith('stage1_down_conv/kernel'))![1];
  const [mas, hebbian] = [firstKernel(runs.get('mas')!), firstKernel(runs.get('hebbian')!)];
  const gap = tf.tidy(() => tf.max(tf.abs(tf.sub(mas, hebbian))).dataSync()[0]!);
  assert.ok(gap > 1e-3, `the two Ω differ (${gap})`);
  for (const importance of runs.values()) disposeImportance(importance);
});
