import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { initTensorflow, tf } from '../runtime/tensorflow.ts';
import {
  BOUNDARY_OUTPUT,
  buildDetectorNetwork,
  type DetectorArchitecture,
} from '../detect/detector-network.ts';
import {
  DEFAULT_CONTINUAL,
  learnWithMas,
  logitAuc,
  measureImportance,
  type LabelledSet,
} from './continual.ts';
import { disposeImportance } from './mas.ts';
import { loadMasAnchor, saveMasAnchor } from './mas-io.ts';

const tiny: DetectorArchitecture = { inputSize: 16, widths: [4, 8], boundaryStage: 1, dropout: 0 };

/** Task: brightness of the left half (label 1 when brighter than the right). Deterministic. */
function task(seed: number, n = 32): LabelledSet {
  const y = Array.from({ length: n }, (_, i) => (i % 2) as 0 | 1);
  const x = tf.tidy(() => {
    const noise = tf.randomUniform([n, 16, 16, 3], -0.3, 0.3, 'float32', seed);
    const left = tf.concat([tf.ones([n, 16, 8, 3]), tf.zeros([n, 16, 8, 3])], 2);
    const sign = tf.tensor1d(y.map((l) => (l ? 0.5 : -0.5))).reshape([n, 1, 1, 1]);
    return noise.add(left.mul(sign));
  });
  return { x, y };
}

function distanceFromAnchor(model: tf.LayersModel, before: tf.Tensor[]): number {
  return tf.tidy(() =>
    model.trainableWeights.reduce(
      (sum, w, i) => sum + tf.sum(tf.square(tf.sub(w.read(), before[i]!))).dataSync()[0]!,
      0,
    ),
  );
}

test('MAS keeps weights closer to the old task than plain fine-tuning, and still learns the new task', async () => {
  await initTensorflow();
  const newTask = task(5);
  const oldInputs = task(9).x;
  const moved: Record<string, number> = {};
  for (const lambda of [0, 1000]) {
    const model = buildDetectorNetwork(tiny, 3);
    const before = model.trainableWeights.map((w) => tf.clone(w.read()));
    const anchor = await learnWithMas(model, newTask, oldInputs, undefined, {
      ...DEFAULT_CONTINUAL,
      lambda,
      steps: 30,
      learningRate: 5e-3,
    });
    moved[String(lambda)] = distanceFromAnchor(model, before);
    assert.ok((await logitAuc(model, newTask)) > 0.6, `λ=${lambda} learns the new task`);
    tf.dispose(before);
    disposeImportance(anchor.importance);
    disposeImportance(anchor.anchors);
    model.dispose();
  }
  assert.ok(moved['1000']! < moved['0']!, `weights moved ${moved['1000']} with MAS vs ${moved['0']} without`);
  tf.dispose([newTask.x, oldInputs]);
});

test('the importance file round-trips and refuses another model', async () => {
  await initTensorflow();
  const model = buildDetectorNetwork(tiny, 3);
  const data = task(2, 8);
  const anchor = await learnWithMas(model, data, data.x, undefined, { ...DEFAULT_CONTINUAL, steps: 1 });
  const path = join(await mkdtemp(join(tmpdir(), 'unmask-mas-')), 'mas.bin');
  await saveMasAnchor(anchor, path);
  const loaded = await loadMasAnchor(path, model);
  const key = model.trainableWeights[0]!.name;
  assert.deepEqual(
    Array.from(await loaded.importance.get(key)!.data()),
    Array.from(await anchor.importance.get(key)!.data()),
  );
  const other = buildDetectorNetwork({ ...tiny, widths: [6, 8] }, 3);
  await assert.rejects(loadMasAnchor(path, other), /does not match the model/);
  await assert.rejects(
    learnWithMas(model, data, data.x, undefined, { ...DEFAULT_CONTINUAL, lambda: Number.NaN }),
    /λ/,
  );
  for (const m of [anchor.importance, anchor.anchors, loaded.importance, loaded.anchors])
    disposeImportance(m);
  tf.dispose(data.x);
  model.dispose();
  other.dispose();
});

test('early stopping on a validation set keeps the best weights and stops after `patience` flat evaluations', async () => {
  await initTensorflow();
  const data = task(4, 16);
  const validation = task(6, 16);
  const model = buildDetectorNetwork(tiny, 3);
  const config = { ...DEFAULT_CONTINUAL, lambda: 0.5, steps: 40, evalEvery: 10, patience: 2 };
  const result = await learnWithMas(
    model,
    data,
    data.x,
    undefined,
    { ...config, learningRate: 5e-3 },
    { validation },
  );
  assert.deepEqual(result.history.map((h) => h.step).slice(0, 2), [0, 10]);
  const best = Math.max(...result.history.map((h) => h.validationAuc));
  assert.equal(result.history.find((h) => h.step === result.bestStep)!.validationAuc, best);
  assert.ok(Math.abs((await logitAuc(model, validation)) - best) < 1e-9, 'the best weights are restored');
  disposeImportance(result.importance);
  disposeImportance(result.anchors);
  // Nothing changes with a zero learning rate: the run stops after the first `patience` evaluations.
  const frozen = await learnWithMas(
    model,
    data,
    data.x,
    undefined,
    { ...config, learningRate: 0 },
    { validation },
  );
  assert.equal(frozen.steps, 20);
  assert.equal(frozen.bestStep, 0);
  disposeImportance(frozen.importance);
  disposeImportance(frozen.anchors);
  tf.dispose([data.x, validation.x]);
  model.dispose();
});

test('Ω on the logit leaves the boundary head unimportant; Ω on all outputs (the default) counts it, both at mean 1', async () => {
  await initTensorflow();
  const model = buildDetectorNetwork(tiny, 7);
  const inputs = task(9, 8).x;
  const before = tf.memory().numTensors;
  const logitOnly = measureImportance(model, inputs, 1, 'logit');
  const allOutputs = measureImportance(model, inputs);
  const boundary = model.getLayer(BOUNDARY_OUTPUT).trainableWeights.map((w) => w.name);
  assert.ok(boundary.length > 0);
  assert.equal(
    tf.memory().numTensors,
    before + 2 * model.trainableWeights.length,
    'only the Ω tensors are kept',
  );
  const largest = (t: tf.Tensor) => Math.max(...t.dataSync());
  for (const name of boundary) {
    assert.equal(largest(logitOnly.get(name)!), 0, `${name}: no part in the logit`);
    assert.ok(largest(allOutputs.get(name)!) > 0, `${name}: part of F with 'all'`);
  }
  for (const importance of [logitOnly, allOutputs]) {
    const values = [...importance.values()];
    const total = values.reduce(
      (sum, t) => sum + (t.dataSync() as Float32Array).reduce((a, b) => a + b, 0),
      0,
    );
    const count = values.reduce((sum, t) => sum + t.size, 0);
    assert.ok(Math.abs(total / count - 1) < 1e-4, 'scaled to mean 1');
  }
  disposeImportance(logitOnly);
  disposeImportance(allOutputs);
  inputs.dispose();
  model.dispose();
});
