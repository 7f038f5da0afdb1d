import assert from 'node:assert/strict';
import { test } from 'node:test';
import { registerWasmTrainingKernels } from '../wasm-kernels/register.ts';
import { tf } from '../tensorflow.ts';
import { LEAKY_RELU_GRAD } from './leaky-relu-grad.ts';
import { registerFastGradients } from './fused-batch-norm-grad.ts';

// Odd length (a tail after the 4-wide loop), zeros, negatives, NaN and infinities.
const X = [
  -2,
  -0.5,
  0,
  0.25,
  3,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  -0,
  1e-8,
  -1e-8,
];
const DY = [1, -2, 3, 0.5, -1, 2, 4, -3, 5, 6, 7];
const ALPHA = 0.1;
const expected = X.map((x, i) => (x > 0 ? DY[i]! : ALPHA * DY[i]!));

async function gradientOn(backend: 'cpu' | 'wasm'): Promise<Float32Array> {
  assert.ok(await tf.setBackend(backend));
  await tf.ready();
  return tf.tidy(() => {
    const x = tf.tensor1d(X);
    const dy = tf.tensor1d(DY);
    const grad = tf.grad((v: tf.Tensor) => tf.mul(tf.leakyRelu(v, ALPHA), dy).sum())(x);
    return grad.dataSync() as Float32Array;
  });
}

test('the leakyRelu gradient is x > 0 ? dy : alpha·dy on wasm (one kernel) and on cpu (the formula)', async () => {
  registerFastGradients();
  registerWasmTrainingKernels();
  const wasm = await gradientOn('wasm');
  assert.ok(tf.getKernel(LEAKY_RELU_GRAD, 'wasm') !== undefined);
  const cpu = await gradientOn('cpu');
  assert.equal(tf.getKernel(LEAKY_RELU_GRAD, 'cpu'), undefined);
  for (const [name, values] of [
    ['wasm', wasm],
    ['cpu', cpu],
  ] as const) {
    values.forEach((v, i) =>
      assert.ok(Math.abs(v - expected[i]!) <= 1e-7, `${name}[${i}]: ${v} vs ${expected[i]}`),
    );
  }
});

test('the wasm kernel makes one output and leaks nothing, on a shape with a tail', async () => {
  registerWasmTrainingKernels();
  assert.ok(await tf.setBackend('wasm'));
  const x = tf.randomNormal([3, 5, 7, 3], 0, 1, 'float32', 4);
  const dy = tf.randomNormal([3, 5, 7, 3], 0, 1, 'float32', 5);
  const before = tf.memory().numTensors;
  const ours = tf.engine().runKernel(LEAKY_RELU_GRAD, { x, dy }, { alpha: 0.2 }) as tf.Tensor;
  assert.equal(tf.memory().numTensors, before + 1);
  const reference = tf.where(tf.greater(x, 0), dy, tf.mul(dy, 0.2));
  assert.deepEqual(ours.dataSync(), reference.dataSync());
  tf.dispose([x, dy, ours, reference]);
});
