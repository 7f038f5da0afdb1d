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

async function gradientOn(
  backend: 'cpu' | 'wasm',
  activation: (v: tf.Tensor) => tf.Tensor = (v) => tf.leakyRelu(v, ALPHA),
): Promise<{ gradient: Float32Array; kernels: string[] }> {
  assert.ok(await tf.setBackend(backend));
  await tf.ready();
  const x = tf.tensor1d(X);
  const dy = tf.tensor1d(DY);
  let gradient: Float32Array = new Float32Array();
  const profile = await tf.profile(() => {
    const grad = tf.grad((v: tf.Tensor) => tf.mul(activation(v), dy).sum())(x);
    gradient = grad.dataSync() as Float32Array;
    grad.dispose();
  });
  tf.dispose([x, dy]);
  return { gradient, kernels: profile.kernels.map((k) => k.name) };
}

test('the leakyRelu gradient is x > 0 ? dy : alpha·dy on wasm (one kernel) and on cpu (the formula)', async () => {
  registerFastGradients();
  registerWasmTrainingKernels();
  const { gradient: wasm, kernels } = await gradientOn('wasm');
  assert.ok(kernels.includes(LEAKY_RELU_GRAD), kernels.join());
  const { gradient: cpu } = await gradientOn('cpu');
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

test("the relu gradient is one kernel on wasm and equals tfjs-core's dy·step(x) on cpu", async () => {
  registerFastGradients();
  registerWasmTrainingKernels();
  const { gradient: wasm, kernels } = await gradientOn('wasm', tf.relu);
  assert.ok(kernels.includes(LEAKY_RELU_GRAD), kernels.join());
  assert.ok(!kernels.includes('Step'), kernels.join());
  const { gradient: cpu } = await gradientOn('cpu', tf.relu);
  X.forEach((x, i) => {
    const want = x > 0 ? DY[i]! : 0;
    if (Number.isNaN(x)) {
      assert.ok(Number.isNaN(cpu[i]!), `cpu[${i}] ${cpu[i]}`); // step(NaN) is NaN
      assert.equal(wasm[i], 0); // the one-pass kernel's x > 0 test: 0, as documented
      return;
    }
    assert.equal(Math.abs(wasm[i]!), Math.abs(want), `wasm[${i}]`);
    assert.equal(Math.abs(cpu[i]!), Math.abs(want), `cpu[${i}]`);
  });
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
