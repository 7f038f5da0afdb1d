import assert from 'node:assert/strict';
import { test } from 'node:test';
import { registerWasmTrainingKernels } from '../wasm-kernels/register.ts';
import { tf } from '../tensorflow.ts';
import { registerFastGradients } from './fused-batch-norm-grad.ts';
import { EXPAND_REDUCED, expandedRun } from './reduce-grad.ts';

/** tfjs-core's Sum and Mean gradients, written out: dy · ones(x.shape), divided by the count for Mean. */
function coreGradient(x: tf.Tensor, dy: tf.Tensor, axes: number[], mean: boolean): tf.Tensor {
  const expanded = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const spread = tf.mul(tf.reshape(dy, expanded), tf.ones(x.shape, 'float32'));
  return mean ? tf.div(spread, tf.util.sizeFromShape(axes.map((a) => x.shape[a]!))) : spread;
}

/** The gradient of sum(reduce(x) · w) with respect to x, where w is a fixed random weight: dy = w. */
function gradientOf(x: tf.Tensor, axes: number[], keepDims: boolean, mean: boolean) {
  const reduce = (v: tf.Tensor) => (mean ? tf.mean(v, axes, keepDims) : tf.sum(v, axes, keepDims));
  const dy = tf.randomNormal(reduce(x).shape, 0, 1, 'float32', 7);
  const grad = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(reduce(v), dy)))(x);
  return { grad, dy };
}

// [shape, axes]: batch norm's moments, global average pooling, a loss's mean over everything, the last axis alone,
// the first axis alone (cols > 1 with rows = one axis), odd sizes for the 4-wide loop's tails, and gaps.
const CASES: Array<[number[], number[]]> = [
  [
    [4, 6, 5, 7],
    [0, 1, 2],
  ],
  [
    [3, 5, 5, 8],
    [1, 2],
  ],
  [
    [2, 3, 4, 5],
    [0, 1, 2, 3],
  ],
  [[3, 4, 7], [2]],
  [[5, 3, 2], [0]],
  [[6, 9], [1]],
  [
    [2, 3, 4, 5],
    [1, 3],
  ], // not one run: tfjs-core's formula
];

for (const backend of ['wasm', 'cpu'] as const) {
  test(`Sum and Mean gradients on ${backend} equal tfjs-core's bit for bit, keepDims or not`, async () => {
    registerFastGradients();
    registerWasmTrainingKernels();
    assert.ok(await tf.setBackend(backend));
    for (const [shape, axes] of CASES) {
      for (const mean of [false, true]) {
        for (const keepDims of [false, true]) {
          const x = tf.randomNormal(shape, 0, 1, 'float32', 3);
          const { grad, dy } = gradientOf(x, axes, keepDims, mean);
          const want = coreGradient(x, dy, axes, mean);
          const label = `${mean ? 'mean' : 'sum'} of [${shape}] over [${axes}] keepDims ${keepDims}`;
          assert.deepEqual(grad.shape, shape, label);
          assert.deepEqual(grad.dataSync(), want.dataSync(), label);
          tf.dispose([x, grad, dy, want]);
        }
      }
    }
  });
}

test('on wasm the gradient is the one copy kernel, with no ones tensor, and adds exactly its output', async () => {
  registerFastGradients();
  registerWasmTrainingKernels();
  assert.ok(await tf.setBackend('wasm'));
  const x = tf.randomNormal([4, 6, 6, 8], 0, 1, 'float32', 1);
  const profile = await tf.profile(() => {
    const grad = tf.grad((v: tf.Tensor) => tf.mean(v, [1, 2]).sum())(x);
    grad.dispose();
  });
  const names = profile.kernels.map((k) => k.name);
  assert.ok(names.includes(EXPAND_REDUCED), names.join());
  assert.ok(!names.includes('Multiply'), names.join());
  const before = tf.memory().numTensors;
  const out = tf.engine().runKernel(EXPAND_REDUCED, { dy: tf.ones([4, 1, 1, 8]) }, {
    shape: [4, 6, 6, 8],
    axes: [1, 2],
  } as unknown as tf.NamedAttrMap) as tf.Tensor;
  assert.equal(tf.memory().numTensors, before + 2); // its input and its output
  assert.deepEqual([...new Set(out.dataSync())], [1]);
  tf.dispose([x, out]);
});

test('expandedRun: one contiguous run of axes as [outer, rows, cols], nothing otherwise', () => {
  assert.deepEqual(expandedRun([2, 3, 4, 5], [0, 1, 2]), { outer: 1, rows: 24, cols: 5 });
  assert.deepEqual(expandedRun([2, 3, 4, 5], [2, 1]), { outer: 2, rows: 12, cols: 5 });
  assert.deepEqual(expandedRun([2, 3, 4, 5], [3]), { outer: 24, rows: 5, cols: 1 });
  assert.deepEqual(expandedRun([2, 3, 4, 5], [0]), { outer: 1, rows: 2, cols: 60 });
  assert.equal(expandedRun([2, 3, 4, 5], [1, 3]), undefined);
  assert.equal(expandedRun([2, 3, 4, 5], []), undefined);
  assert.equal(expandedRun([2, 3], [2]), undefined);
});
