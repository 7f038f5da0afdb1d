import assert from 'node:assert/strict';
import { test } from 'node:test';
import { initTensorflow, tf } from '../runtime/tensorflow.ts';
import { reduceAndUpdateSlice, type ShardedOptimizer, type SliceBuffers } from './sharded-update.ts';

// More than one 4096-float chunk, and not a multiple of it.
const SIZE = 9001;
const WEIGHTS = [0.5, 0.25, 0.25];

function randomArray(size: number, seed: number): Float32Array {
  let state = seed;
  return Float32Array.from({ length: size }, () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648 - 0.5;
  });
}

function buffers(params: Float32Array, step: number): SliceBuffers {
  return {
    params,
    slots: WEIGHTS.map((_, s) => randomArray(SIZE, 1000 * step + s + 1)),
    reduced: new Float32Array(SIZE),
    firstMoment: new Float32Array(SIZE),
    secondMoment: new Float32Array(SIZE),
  };
}

const weightedSum = (b: SliceBuffers) =>
  Float32Array.from({ length: SIZE }, (_, i) =>
    b.slots.reduce((g, slot, s) => g + WEIGHTS[s]! * slot[i]!, 0),
  );

function largestDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

test('without an optimizer the weighted slot sum lands in `reduced`, only on the slice', () => {
  const b = buffers(new Float32Array(SIZE), 0);
  reduceAndUpdateSlice(b, 100, 5000, WEIGHTS, undefined, 1);
  const expected = weightedSum(b);
  assert.ok(largestDifference(b.reduced.subarray(100, 5000), expected.subarray(100, 5000)) < 1e-7);
  assert.equal(b.reduced[99], 0);
  assert.equal(b.reduced[5000], 0);
  assert.ok(b.reduced[4999] !== 0);
});

for (const [name, optimizer, reference] of [
  ['sgd', { kind: 'sgd', learningRate: 0.1 }, () => tf.train.sgd(0.1)],
  [
    'adam',
    { kind: 'adam', learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
    () => tf.train.adam(0.01, 0.9, 0.999, 1e-7),
  ],
] as Array<[string, ShardedOptimizer, () => tf.Optimizer]>) {
  test(`${name} on two slices in turn equals tfjs's ${name} on the summed gradient over 5 steps`, async () => {
    await initTensorflow();
    const start = randomArray(SIZE, 7);
    const params = start.slice();
    const variable = tf.variable(tf.tensor1d(start));
    const tfOptimizer = reference();
    const moments = { firstMoment: new Float32Array(SIZE), secondMoment: new Float32Array(SIZE) };
    for (let step = 1; step <= 5; step++) {
      const b = { ...buffers(params, step), ...moments };
      // Two workers' slices, as the workers split the parameters.
      reduceAndUpdateSlice(b, 0, 4500, WEIGHTS, optimizer, step);
      reduceAndUpdateSlice(b, 4500, SIZE, WEIGHTS, optimizer, step);
      const gradient = tf.tensor1d(weightedSum(b));
      tfOptimizer.applyGradients({ [variable.name]: gradient });
      gradient.dispose();
    }
    const expected = await variable.data();
    assert.ok(largestDifference(expected, start) > 1e-3, 'the parameters moved');
    assert.ok(largestDifference(params, expected) < 1e-6, `${largestDifference(params, expected)}`);
    tfOptimizer.dispose();
    variable.dispose();
  });
}

test('a slot count that does not match the weights is refused', () => {
  const b = buffers(new Float32Array(SIZE), 0);
  assert.throws(() => reduceAndUpdateSlice(b, 0, SIZE, [1], undefined, 1), /3 gradient slots but 1 weights/);
});
