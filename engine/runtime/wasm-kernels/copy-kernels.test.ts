/**
 * Our wasm Slice / Unpack / SplitV / Concat (heap copies) and the stride-1 AvgPoolGrad against the cpu backend:
 * exact equality for the copies (they move bits), 1e-5 relative for the pool gradient, plus hygiene.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { checkGradients } from '../../learn/gradient-check.ts';
import { randomValues, relativeError, seededRandom, setUpBackends, useBackend } from './test-utils.ts';

before(async () => {
  const names = await setUpBackends();
  for (const name of ['Slice', 'Unpack', 'SplitV', 'Concat', 'Identity', 'AvgPoolGrad'])
    assert.ok(names.includes(name), name);
});

/** Runs `f` on the cpu and the wasm backend with the same inputs; returns both results' values. */
async function onBoth(f: () => tf.Tensor | tf.Tensor[]): Promise<{ cpu: number[][]; wasm: number[][] }> {
  const run = () => {
    const out = tf.tidy(f);
    const list = Array.isArray(out) ? out : [out];
    const values = list.map((t) => Array.from(t.dataSync()));
    tf.dispose(list);
    return values;
  };
  await useBackend('cpu');
  const cpu = run();
  await useBackend('wasm');
  const wasm = run();
  return { cpu, wasm };
}

const rand = seededRandom(77);
const x5 = randomValues(rand, [3, 4, 5, 6, 7]);
const ints = Int32Array.from(randomValues(rand, [6, 5, 4]), (v) => Math.round(v * 100));

describe('wasm copy kernels equal the cpu backend bit for bit', () => {
  const slices: Array<[number[], number[]]> = [
    [
      [0, 0, 0, 0, 0],
      [3, 4, 5, 6, 7],
    ],
    [
      [1, 0, 0, 0, 0],
      [1, 4, 5, 6, 7],
    ],
    [
      [0, 1, 2, 0, 0],
      [3, 2, 3, 6, 7],
    ],
    [
      [0, 0, 0, 0, 3],
      [3, 4, 5, 6, 1],
    ],
    [
      [2, 3, 4, 5, 6],
      [1, 1, 1, 1, 1],
    ],
    [
      [1, 1, 1, 1, 1],
      [-1, 2, -1, 4, 5],
    ],
    [
      [0, 0, 0, 0, 0],
      [3, 0, 5, 6, 7],
    ],
  ];
  for (const [begin, size] of slices) {
    test(`slice begin [${begin}] size [${size}] of a 3×4×5×6×7 tensor`, async () => {
      const { cpu, wasm } = await onBoth(() => tf.slice(tf.tensor(x5, [3, 4, 5, 6, 7]), begin, size));
      assert.deepEqual(wasm, cpu);
    });
  }
  test('slice of int32 and of a scalar-like 1-D tensor', async () => {
    const { cpu, wasm } = await onBoth(() => [
      tf.slice(tf.tensor(ints, [6, 5, 4], 'int32'), [1, 2, 1], [4, 2, 3]),
      tf.slice(tf.tensor1d([1, 2, 3]), [1], [1]),
    ]);
    assert.deepEqual(wasm, cpu);
  });
  for (const axis of [0, 2, 4, -1]) {
    test(`unstack along axis ${axis}`, async () => {
      const { cpu, wasm } = await onBoth(() => tf.unstack(tf.tensor(x5, [3, 4, 5, 6, 7]), axis));
      assert.deepEqual(wasm, cpu);
    });
  }
  for (const [splits, axis] of [
    [[3, 1], 3],
    [2, 0],
    [[1, 2, 4], -1],
  ] as Array<[number | number[], number]>) {
    test(`split ${JSON.stringify(splits)} along axis ${axis}`, async () => {
      const shape = axis === 3 ? [3, 4, 5, 4, 7] : [2, 4, 5, 6, 7];
      const { cpu, wasm } = await onBoth(() =>
        tf.split(tf.tensor(x5.subarray(0, tf.util.sizeFromShape(shape)), shape), splits, axis),
      );
      assert.deepEqual(wasm, cpu);
    });
  }
  for (const axis of [0, 1, 3]) {
    test(`concat of three tensors along axis ${axis} (one of them empty)`, async () => {
      const { cpu, wasm } = await onBoth(() => {
        const a = tf.tensor(x5.subarray(0, 2 * 3 * 4 * 3), [2, 3, 4, 3]);
        const shapeB = [2, 3, 4, 3];
        shapeB[axis] = axis === 3 ? 1 : 2;
        const b = tf.tensor(x5.subarray(100, 100 + tf.util.sizeFromShape(shapeB)), shapeB);
        const emptyShape = [2, 3, 4, 3];
        emptyShape[axis] = 0;
        return tf.concat([a, tf.zeros(emptyShape), b], axis);
      });
      assert.deepEqual(wasm, cpu);
    });
  }
});

describe('wasm AvgPoolGrad matches the cpu backend', () => {
  const cases: Array<{
    shape: [number, number, number, number];
    k: number | [number, number];
    s: number;
    pad: 'valid' | 'same';
  }> = [
    { shape: [2, 12, 11, 3], k: 7, s: 1, pad: 'valid' },
    { shape: [1, 6, 9, 2], k: [3, 2], s: 1, pad: 'valid' },
    // Left to the stock kernel:
    { shape: [2, 8, 8, 3], k: 3, s: 2, pad: 'valid' },
    { shape: [2, 8, 8, 3], k: 3, s: 1, pad: 'same' },
  ];
  for (const c of cases) {
    test(`avgPool ${c.k} stride ${c.s} ${c.pad} on [${c.shape}]`, async () => {
      const values = randomValues(seededRandom(5), c.shape);
      const f = () => {
        const x = tf.tensor4d(values, c.shape);
        const y = tf.avgPool(x, c.k, c.s, c.pad);
        const r = tf.tensor(randomValues(seededRandom(6), y.shape), y.shape);
        return tf.grad((t) => tf.sum(tf.mul(tf.avgPool(t as tf.Tensor4D, c.k, c.s, c.pad), r)))(x);
      };
      const { cpu, wasm } = await onBoth(f);
      assert.ok(
        relativeError(wasm[0]!, cpu[0]!) < 1e-5,
        `relative error ${relativeError(wasm[0]!, cpu[0]!)}`,
      );
    });
  }
  test('gradient check of the SSIM-style pool on wasm', async () => {
    await useBackend('wasm');
    const x = tf.tensor4d(randomValues(seededRandom(8), [1, 9, 9, 1]), [1, 9, 9, 1]);
    const result = checkGradients((t) => tf.sum(tf.square(tf.avgPool(t as tf.Tensor4D, 7, 1, 'valid'))), [x]);
    assert.ok(result.maxRelativeError < 1e-2, `relative error ${result.maxRelativeError}`);
    x.dispose();
  });
});

describe('Identity shares the buffer', () => {
  test('a clone reads the same values, outlives its source, and frees the buffer with the last reference', async () => {
    await useBackend('wasm');
    const buffers = tf.backend().numDataIds();
    const x = tf.tensor([1, 2, 3, 4], [2, 2]);
    const y = tf.clone(x);
    assert.equal(tf.backend().numDataIds(), buffers + 1, 'one buffer for both');
    x.dispose();
    assert.deepEqual(Array.from(y.dataSync()), [1, 2, 3, 4]);
    y.dispose();
    assert.equal(tf.backend().numDataIds(), buffers);
    // A variable assigned from a clone does not change the clone's source.
    const source = tf.tensor([5, 6]);
    const v = tf.tidy(() => tf.variable(tf.clone(source)));
    v.assign(tf.tensor([7, 8]));
    assert.deepEqual(Array.from(source.dataSync()), [5, 6]);
    tf.dispose([source, v]);
  });
});

describe('copy kernel hygiene', () => {
  test('no tensors or wasm buffers leak', async () => {
    await useBackend('wasm');
    const x = tf.tensor(x5, [3, 4, 5, 6, 7]);
    const run = () =>
      tf.tidy(() => {
        tf.unstack(x, 1);
        tf.split(x, 3, 0);
        tf.concat([x, x], 4);
        tf.slice(x, [0, 1, 0, 2, 0], [2, 2, 5, 3, 7]);
        tf.grad((t) => tf.sum(tf.avgPool(t as tf.Tensor4D, 3, 1, 'valid')))(
          tf.ones([1, 5, 5, 1]) as tf.Tensor4D,
        );
      });
    run();
    const tensors = tf.memory().numTensors;
    const buffers = tf.backend().numDataIds();
    run();
    assert.equal(tf.memory().numTensors, tensors);
    assert.equal(tf.backend().numDataIds(), buffers);
    x.dispose();
  });
});
