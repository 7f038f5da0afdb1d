import assert from 'node:assert/strict';
import { test } from 'node:test';
import { initTensorflow, tf } from '../runtime/tensorflow.ts';
import {
  accumulateImportance,
  anchorWeights,
  disposeImportance,
  importanceForModel,
  masImportance,
  masPenalty,
  normaliseImportance,
} from './mas.ts';

/** y = W x (no bias): ∂‖Wx‖²/∂W_ij = 2 (Wx)_i x_j, so Ω_ij = mean over samples of |2 (Wx)_i x_j|. */
function linearModel(w: number[][]): tf.LayersModel {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ units: w[0]!.length, inputShape: [w.length], useBias: false, name: 'linear' }),
    ],
  });
  model.layers[0]!.setWeights([tf.tensor2d(w)]);
  return model;
}

test('MAS importance equals the hand-computed mean |∂‖F(x)‖²/∂θ| on a linear model', async () => {
  await initTensorflow();
  const w = [
    [1, -2],
    [0.5, 3],
  ]; // keras layout: [in, out]
  const model = linearModel(w);
  const samples = tf.tensor2d([
    [1, 0],
    [2, -1],
  ]);
  const before = tf.memory().numTensors;
  const importance = masImportance(model, samples);
  assert.equal(tf.memory().numTensors, before + 1, 'only the importance tensor is kept');
  const omega = await importance.get(model.trainableWeights[0]!.name)!.data();
  // y = x·W; ∂‖y‖²/∂W[j][i] = 2 y_i x_j.
  const expected = [0, 0, 0, 0];
  for (const x of [
    [1, 0],
    [2, -1],
  ]) {
    const y = [0, 1].map((i) => x[0]! * w[0]![i]! + x[1]! * w[1]![i]!);
    for (let j = 0; j < 2; j++)
      for (let i = 0; i < 2; i++) expected[j * 2 + i]! += Math.abs(2 * y[i]! * x[j]!) / 2;
  }
  for (let k = 0; k < 4; k++)
    assert.ok(Math.abs(omega[k]! - expected[k]!) < 1e-5, `Ω[${k}] ${omega[k]} vs ${expected[k]}`);
  disposeImportance(importance);
  model.dispose();
  samples.dispose();
});

test('the penalty is λ Σ Ω (θ − θ*)², zero at the anchor, and refuses a bad λ or mismatched importance', async () => {
  await initTensorflow();
  const model = linearModel([
    [1, 0],
    [0, 1],
  ]);
  const name = model.trainableWeights[0]!.name;
  const anchors = anchorWeights(model);
  const importance = new Map([
    [
      name,
      tf.tensor2d([
        [1, 2],
        [3, 4],
      ]),
    ],
  ]);
  assert.equal((await masPenalty(model, { importance, anchors }, 0.5).data())[0], 0);
  model.layers[0]!.setWeights([
    tf.tensor2d([
      [2, 0],
      [0, 1],
    ]),
  ]); // θ − θ* = 1 at [0][0]
  assert.equal((await masPenalty(model, { importance, anchors }, 0.5).data())[0], 0.5 * 1 * 1);
  assert.throws(() => masPenalty(model, { importance, anchors }, Number.NaN), /λ/);
  assert.throws(() => masPenalty(model, { importance, anchors }, -1), /λ/);
  const wrong = new Map([[name, tf.ones([3])]]);
  assert.throws(() => masPenalty(model, { importance: wrong, anchors }, 1), /shape/);
  const summed = accumulateImportance(importance, importance);
  assert.deepEqual(Array.from(await summed.get(name)!.data()), [2, 4, 6, 8]);
  disposeImportance(summed);
  disposeImportance(importance);
  disposeImportance(wrong);
  disposeImportance(anchors);
  model.dispose();
});

test('batched importance is |∂ Σ_batch ‖F‖² / ∂θ| / N, as in the authors’ code: opposite gradients cancel', async () => {
  await initTensorflow();
  const model = linearModel([[1], [1]]); // y = x₀ + x₁
  // ∂y²/∂W = 2 y x: for x = (1, 0) it is (2, 0); for x = (−1, 0) also (2, 0); for x = (1, −1) y = 0.
  const samples = tf.tensor2d([
    [1, 2],
    [1, -2],
  ]);
  // Per sample: y = 3 → 2·3·(1, 2) = (6, 12); y = −1 → 2·(−1)·(1, −2) = (−2, 4). Mean of |·| = (4, 8).
  const perSample = masImportance(model, samples);
  // Batched: the sum (4, 16) before the absolute value, over 2 samples = (2, 8).
  const batched = masImportance(model, samples, { batchSize: 2 });
  const name = model.trainableWeights[0]!.name;
  assert.deepEqual(Array.from(await perSample.get(name)!.data()), [4, 8]);
  assert.deepEqual(Array.from(await batched.get(name)!.data()), [2, 8]);
  assert.throws(() => masImportance(model, samples, { batchSize: 0 }), /batch size/);
  disposeImportance(perSample);
  disposeImportance(batched);
  samples.dispose();
  model.dispose();
});

test('normalised importance has mean 1 and keeps ratios; it moves to a reloaded copy by position', async () => {
  await initTensorflow();
  const model = linearModel([
    [1, 0],
    [0, 1],
  ]);
  const name = model.trainableWeights[0]!.name;
  const raw = new Map([
    [
      name,
      tf.tensor2d([
        [1, 3],
        [0, 4],
      ]),
    ],
  ]);
  const normalised = normaliseImportance(raw);
  assert.deepEqual(Array.from(await normalised.get(name)!.data()), [0.5, 1.5, 0, 2]);
  assert.throws(() => normaliseImportance(new Map([[name, tf.zeros([2, 2])]])), /zero everywhere/);
  const copy = linearModel([
    [1, 0],
    [0, 1],
  ]);
  const copyName = copy.trainableWeights[0]!.name;
  assert.notEqual(copyName, name, 'tfjs names the copy differently');
  const moved = importanceForModel(normalised, copy);
  assert.equal(moved.get(copyName), normalised.get(name));
  // Ω keyed for the first model cannot silently leave the copy unpenalised.
  const anchors = anchorWeights(model);
  assert.throws(() => masPenalty(copy, { importance: normalised, anchors }, 1), /another model/);
  assert.throws(
    () =>
      importanceForModel(
        normalised,
        linearModel([
          [1, 0, 0],
          [0, 1, 0],
        ]),
      ),
    /shape/,
  );
  disposeImportance(raw);
  disposeImportance(normalised);
  disposeImportance(anchors);
  model.dispose();
  copy.dispose();
});
