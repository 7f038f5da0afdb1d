import assert from 'node:assert/strict';
import { test } from 'node:test';
import { initTensorflow, tf } from '../runtime/tensorflow.ts';
import { buildDetectorNetwork } from '../detect/detector-network.ts';
import { hebbianImportance } from './hebbian.ts';
import { disposeImportance } from './mas.ts';

test('dense Hebbian importance is mean |x_i · y_j| (hand-computed)', async () => {
  await initTensorflow();
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [2], useBias: false })] });
  model.layers[0]!.setWeights([
    tf.tensor2d([
      [1, -1],
      [2, 0.5],
    ]),
  ]);
  const x = tf.tensor2d([
    [1, 2],
    [-1, 1],
  ]);
  const importance = hebbianImportance(model, x);
  const omega = Array.from(await importance.get(model.trainableWeights[0]!.name)!.data());
  // y = xW: sample 1 → [5, 0]; sample 2 → [1, 1.5].
  const expected = [(1 * 5 + 1 * 1) / 2, (1 * 0 + 1 * 1.5) / 2, (2 * 5 + 1 * 1) / 2, (2 * 0 + 1 * 1.5) / 2];
  omega.forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) < 1e-5, `Ω[${i}] ${v} vs ${expected[i]}`));
  disposeImportance(importance);
  tf.dispose([x]);
  model.dispose();
});

test('every trainable weight of the detector gets a non-negative importance of its shape', async () => {
  await initTensorflow();
  const model = buildDetectorNetwork({ inputSize: 32, widths: [4, 8], boundaryStage: 1, dropout: 0 }, 2);
  const x = tf.randomUniform([3, 32, 32, 3], -1, 1, 'float32', 4);
  const before = tf.memory().numTensors;
  const importance = hebbianImportance(model, x);
  assert.equal(
    tf.memory().numTensors - before,
    model.trainableWeights.length,
    'only the importances are kept',
  );
  for (const weight of model.trainableWeights) {
    const omega = importance.get(weight.name)!;
    assert.deepEqual(omega.shape, weight.shape);
    assert.ok((await omega.min().data())[0]! >= 0);
  }
  disposeImportance(importance);
  x.dispose();
  model.dispose();
});

test('Hebbian importance in chunks equals one pass over all samples', async () => {
  await initTensorflow();
  const model = buildDetectorNetwork({ inputSize: 32, widths: [4, 8], boundaryStage: 1, dropout: 0 }, 3);
  const x = tf.randomUniform([7, 32, 32, 3], -1, 1, 'float32', 5);
  const whole = hebbianImportance(model, x, 7);
  const before = tf.memory().numTensors;
  const chunked = hebbianImportance(model, x, 3);
  assert.equal(
    tf.memory().numTensors - before,
    model.trainableWeights.length,
    'only the importances are kept',
  );
  for (const weight of model.trainableWeights) {
    const a = await whole.get(weight.name)!.data();
    const b = await chunked.get(weight.name)!.data();
    const scale = Math.max(...Array.from(a, Math.abs));
    assert.ok(scale > 0, `${weight.name} has some importance`);
    a.forEach((v, i) =>
      assert.ok(Math.abs(v - b[i]!) <= 1e-5 * scale, `${weight.name}[${i}]: ${v} vs ${b[i]}`),
    );
  }
  assert.throws(() => hebbianImportance(model, x, 0), /chunk size/);
  disposeImportance(whole);
  disposeImportance(chunked);
  x.dispose();
  model.dispose();
});
