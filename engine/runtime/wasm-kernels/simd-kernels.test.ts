/**
 * Our SIMD conv kernels (./simd-kernels.ts, ./assembly/conv2d.wasm) against the cpu backend's Conv2D, FusedConv2D,
 * Conv2DBackpropInput and Conv2DBackpropFilter, and the committed .wasm against its AssemblyScript source.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { buildWasmKernels } from '../../../scripts/build-wasm-kernels.ts';
import type { Conv2DPad } from './conv2d-backprop.ts';
import {
  batchMatMulSimd,
  broadcastChannelsSimd,
  conv2dBackpropFilterSimd,
  conv2dBackpropInputSimd,
  conv2dSimd,
  hasSimdKernels,
  reduceRowsSimd,
  SIMD_KERNELS_WASM,
  type ChannelOp,
} from './simd-kernels.ts';
import { randomValues, relativeError, seededRandom, setUpBackends, useBackend } from './test-utils.ts';

/** The ids of a wasm binary's sections, in order (1 type, 2 import, 7 export, 10 code, 11 data, …). */
function sectionIds(bytes: Uint8Array): number[] {
  const ids: number[] = [];
  let at = 8; // magic and version
  while (at < bytes.length) {
    ids.push(bytes[at++]!);
    let size = 0;
    for (let shift = 0; ; shift += 7) {
      const b = bytes[at++]!;
      size |= (b & 0x7f) << shift;
      if (b < 0x80) break;
    }
    at += size;
  }
  return ids;
}

describe('the committed SIMD kernel module', () => {
  test('is what its AssemblyScript source compiles to (run `npm run build:kernels` after editing it)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'unmask-kernels-'));
    try {
      const [built] = await buildWasmKernels(dir);
      assert.ok(readFileSync(built!).equals(readFileSync(SIMD_KERNELS_WASM)), 'conv2d.wasm is stale');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('imports only the backend memory and writes nothing of its own into it (no data section)', () => {
    const bytes = readFileSync(SIMD_KERNELS_WASM);
    interface Entry {
      module?: string;
      name: string;
      kind: string;
    }
    const { Module } = (globalThis as unknown as { WebAssembly: { Module: WasmModuleApi } }).WebAssembly;
    interface WasmModuleApi {
      new (bytes: Uint8Array): object;
      imports(module: object): Entry[];
      exports(module: object): Entry[];
    }
    const module = new Module(bytes);
    assert.deepEqual(Module.imports(module), [{ module: 'env', name: 'memory', kind: 'memory' }]);
    assert.deepEqual(
      Module.exports(module).map((e) => e.name),
      [
        'conv2dFilterGrad',
        'conv2dGather',
        'packFilter',
        'depthwiseFilterGrad',
        'depthwiseInputGrad',
        'leakyReluGrad',
        'reduceRows',
        'broadcastChannels',
        'expandRows',
      ],
    );
    assert.ok(!sectionIds(bytes).includes(11), `sections ${sectionIds(bytes).join(', ')}`);
  });
});

interface Case {
  x: [number, number, number, number];
  kh: number;
  kw: number;
  oc: number;
  strides: number | [number, number];
  pad: Conv2DPad;
  dilations?: number | [number, number];
}

/** Geometry both kinds of loop must get right: per-axis and stride-3 strides, explicit padding, taps wider than x. */
const SHARED_CASES: Case[] = [
  { x: [3, 10, 7, 8], kh: 3, kw: 5, oc: 20, strides: [2, 1], pad: 'valid' },
  { x: [2, 12, 13, 8], kh: 5, kw: 3, oc: 16, strides: 3, pad: 'valid' },
  { x: [1, 6, 6, 12], kh: 1, kw: 1, oc: 4, strides: 2, pad: 1 },
  { x: [1, 3, 3, 8], kh: 5, kw: 5, oc: 8, strides: 1, pad: 'same' },
  {
    x: [2, 9, 10, 8],
    kh: 5,
    kw: 3,
    oc: 8,
    strides: 2,
    pad: [
      [0, 0],
      [1, 3],
      [4, 0],
      [0, 0],
    ],
  },
];

const CASES: Case[] = [
  ...SHARED_CASES,
  { x: [2, 7, 9, 3], kh: 3, kw: 3, oc: 4, strides: 2, pad: 'same' },
  { x: [2, 8, 8, 4], kh: 3, kw: 3, oc: 8, strides: 1, pad: 'same' },
  { x: [1, 9, 11, 5], kh: 5, kw: 5, oc: 12, strides: 2, pad: 'same' }, // an ic remainder, a 4-wide oc tail
  { x: [2, 11, 10, 1], kh: 5, kw: 3, oc: 16, strides: 3, pad: 'valid' },
  // Output channels that are not a multiple of 4 (the swap's image and mask heads), with whole groups of 4 inputs.
  { x: [2, 12, 12, 16], kh: 5, kw: 5, oc: 3, strides: 1, pad: 'same' },
  { x: [2, 9, 8, 8], kh: 3, kw: 3, oc: 1, strides: 1, pad: 'valid' },
  { x: [1, 11, 9, 4], kh: 5, kw: 5, oc: 7, strides: 2, pad: 'same' },
  { x: [2, 7, 7, 12], kh: 3, kw: 3, oc: 2, strides: 2, pad: 1 },
  // Three row bands (about 128 KiB of x and dy per band: 21 rows here), and a swap encoder layer's geometry.
  { x: [1, 48, 64, 8], kh: 3, kw: 3, oc: 16, strides: 1, pad: 'same' },
  { x: [1, 16, 16, 16], kh: 5, kw: 5, oc: 32, strides: 2, pad: 'same' },
];

function describeCase(c: Case): string {
  const pad = typeof c.pad === 'object' ? JSON.stringify(c.pad.slice(1, 3)) : String(c.pad);
  return `x ${c.x.join('×')}, filter ${c.kh}×${c.kw}→${c.oc}, stride ${String(c.strides)}, pad ${pad}`;
}

describe('conv2dBackpropFilterSimd matches the cpu backend', () => {
  CASES.forEach((c, i) => {
    test(describeCase(c), async () => {
      const rand = seededRandom(700 + i);
      const filterShape: [number, number, number, number] = [c.kh, c.kw, c.x[3], c.oc];
      const info = tf.backend_util.computeConv2DInfo(c.x, filterShape, c.strides, 1, c.pad);
      const xValues = randomValues(rand, c.x);
      const dyValues = randomValues(rand, info.outShape);
      const attrs = {
        strides: c.strides,
        pad: c.pad,
        dataFormat: 'NHWC',
        filterShape,
      } as unknown as tf.NamedAttrMap;

      await useBackend('cpu');
      const reference = tf.tidy(() =>
        (
          tf
            .engine()
            .runKernel(
              'Conv2DBackpropFilter',
              { x: tf.tensor4d(xValues, c.x), dy: tf.tensor4d(dyValues, info.outShape) },
              attrs,
            ) as tf.Tensor
        ).dataSync(),
      );

      await setUpBackends();
      const backend = tf.backend() as BackendWasm;
      assert.ok(hasSimdKernels(backend), 'the Node wasm backend can host the SIMD kernels');
      const x = tf.tensor4d(xValues, c.x);
      const dy = tf.tensor4d(dyValues, info.outShape);
      const ids = backend.numDataIds();
      const out = conv2dBackpropFilterSimd(backend, x, dy, filterShape, { strides: c.strides, pad: c.pad });
      assert.ok(out !== undefined);
      assert.equal(backend.numDataIds(), ids + 1, 'one new buffer: the output');
      assert.deepEqual(out.shape, filterShape);
      const values = backend.readSync(out.dataId) as Float32Array;
      const error = relativeError(values, reference);
      assert.ok(error <= 1e-5, `relative error ${error}`);
      // Through the registered kernel, which takes this path for these shapes.
      const viaKernel = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs) as tf.Tensor;
      assert.deepEqual(viaKernel.dataSync(), values);
      backend.disposeData(out.dataId);
      tf.dispose([x, dy, viaKernel]);
    });
  });

  test('declines shapes where neither channel count is a multiple of 4 (the caller falls back)', async () => {
    await setUpBackends();
    const x = tf.zeros([1, 5, 5, 3]);
    const dy = tf.zeros([1, 5, 5, 3]);
    const out = conv2dBackpropFilterSimd(tf.backend() as BackendWasm, x, dy, [3, 3, 3, 3], {
      strides: 1,
      pad: 'same',
    });
    assert.equal(out, undefined);
    tf.dispose([x, dy]);
  });

  test('rejects a dy whose shape does not match the conv', async () => {
    await setUpBackends();
    const x = tf.zeros([1, 5, 5, 4]);
    const dy = tf.zeros([1, 4, 5, 8]);
    assert.throws(
      () =>
        conv2dBackpropFilterSimd(tf.backend() as BackendWasm, x, dy, [3, 3, 4, 8], {
          strides: 1,
          pad: 'same',
        }),
      /dy has shape \[1, 4, 5, 8\], expected \[1, 5, 5, 8\]/,
    );
    tf.dispose([x, dy]);
  });
});

/** Forward and input-gradient cases: row tails (widths not a multiple of 4 pixels, or of 4 per stride phase). */
const GATHER_CASES: Case[] = [
  ...SHARED_CASES,
  { x: [2, 7, 9, 9], kh: 3, kw: 3, oc: 4, strides: 1, pad: 'same' },
  { x: [2, 8, 8, 8], kh: 3, kw: 3, oc: 8, strides: 2, pad: 'same' },
  { x: [1, 10, 11, 12], kh: 5, kw: 5, oc: 12, strides: 2, pad: 'same' },
  { x: [2, 5, 6, 3], kh: 3, kw: 3, oc: 8, strides: 2, pad: 'same' }, // RGB: both directions fall back
  { x: [1, 16, 16, 16], kh: 5, kw: 5, oc: 32, strides: 2, pad: 'same' },
];

function describeGather(c: Case): string {
  const pad = typeof c.pad === 'object' ? JSON.stringify(c.pad.slice(1, 3)) : String(c.pad);
  const dil = c.dilations === undefined ? '' : `, dilation ${String(c.dilations)}`;
  return `x ${c.x.join('×')}, filter ${c.kh}×${c.kw}→${c.oc}, stride ${String(c.strides)}, pad ${pad}${dil}`;
}

/** Runs fn on the cpu backend, then on wasm with our kernels, with the same inputs, and returns both results. */
async function onBothBackends(
  inputs: Record<string, { values: Float32Array; shape: number[] }>,
  fn: (t: Record<string, tf.Tensor>) => tf.Tensor,
): Promise<[Float32Array, Float32Array]> {
  const run = () =>
    tf.tidy(() => {
      const t = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, tf.tensor(v.values, v.shape)]));
      return fn(t).dataSync() as Float32Array;
    });
  await useBackend('cpu');
  const reference = run();
  await setUpBackends();
  return [run(), reference];
}

describe('the SIMD gather conv matches the cpu backend', () => {
  const cases: Case[] = [
    ...GATHER_CASES,
    { x: [2, 11, 12, 8], kh: 3, kw: 3, oc: 8, strides: 1, pad: 'same', dilations: 2 },
    { x: [1, 13, 9, 8], kh: 3, kw: 2, oc: 12, strides: 1, pad: 'valid', dilations: [1, 3] },
  ];
  cases.forEach((c, i) => {
    const filterShape: [number, number, number, number] = [c.kh, c.kw, c.x[3], c.oc];
    const data = () => {
      const rand = seededRandom(900 + i);
      return {
        x: { values: randomValues(rand, c.x), shape: c.x },
        w: { values: randomValues(rand, filterShape), shape: filterShape },
        b: { values: randomValues(rand, [c.oc]), shape: [c.oc] },
      };
    };
    test(`conv2d, bias and relu: ${describeGather(c)}`, async () => {
      const [ours, reference] = await onBothBackends(data(), (t) =>
        tf.fused.conv2d({
          x: t['x'] as tf.Tensor4D,
          filter: t['w'] as tf.Tensor4D,
          strides: c.strides,
          pad: c.pad as 'same',
          dilations: c.dilations ?? 1,
          bias: t['b'],
          activation: 'relu',
        }),
      );
      assert.ok(relativeError(ours, reference) <= 1e-5, `relative error ${relativeError(ours, reference)}`);
      assert.ok(ours.some((v) => v === 0) && ours.some((v) => v > 0), 'relu clipped some outputs, not all');
    });
    test(`conv2d, plain: ${describeGather(c)}`, async () => {
      const [ours, reference] = await onBothBackends(data(), (t) =>
        tf.conv2d(
          t['x'] as tf.Tensor4D,
          t['w'] as tf.Tensor4D,
          c.strides,
          c.pad as 'same',
          'NHWC',
          c.dilations ?? 1,
        ),
      );
      assert.ok(relativeError(ours, reference) <= 1e-5, `relative error ${relativeError(ours, reference)}`);
    });
  });

  GATHER_CASES.forEach((c, i) => {
    // The input gradient: x's channels (c.x[3]) are the gather's output channels.
    test(`Conv2DBackpropInput: ${describeGather(c)}`, async () => {
      const filterShape: [number, number, number, number] = [c.kh, c.kw, c.x[3], c.oc];
      const info = tf.backend_util.computeConv2DInfo(c.x, filterShape, c.strides, 1, c.pad);
      const rand = seededRandom(1900 + i);
      const inputs = {
        dy: { values: randomValues(rand, info.outShape), shape: info.outShape },
        w: { values: randomValues(rand, filterShape), shape: filterShape },
      };
      const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x };
      const [ours, reference] = await onBothBackends(
        inputs,
        (t) =>
          tf
            .engine()
            .runKernel(
              'Conv2DBackpropInput',
              { dy: t['dy']!, filter: t['w']! },
              attrs as unknown as tf.NamedAttrMap,
            ) as tf.Tensor,
      );
      assert.ok(relativeError(ours, reference) <= 1e-5, `relative error ${relativeError(ours, reference)}`);
      // The registered kernel took our path: calling it directly gives the same bytes and one new buffer.
      const backend = tf.backend() as BackendWasm;
      const dy = tf.tensor(inputs.dy.values, inputs.dy.shape);
      const w = tf.tensor(inputs.w.values, inputs.w.shape);
      const ids = backend.numDataIds();
      const tensors = tf.memory().numTensors;
      const direct = conv2dBackpropInputSimd(backend, dy, w, c.x, { strides: c.strides, pad: c.pad });
      if (c.x[3] % 4 !== 0) {
        // 3 input channels: the registered kernel fell back to convs by stride phase (checked above against cpu).
        assert.equal(direct, undefined);
        tf.dispose([dy, w]);
        return;
      }
      assert.ok(direct !== undefined);
      assert.equal(backend.numDataIds(), ids + 1, 'one new buffer: the output');
      assert.equal(tf.memory().numTensors, tensors, 'no tensor left behind');
      assert.deepEqual(backend.readSync(direct.dataId), ours);
      backend.disposeData(direct.dataId);
      tf.dispose([dy, w]);
    });
  });

  test('declines what it does not tile or would run slower', async () => {
    await setUpBackends();
    const backend = tf.backend() as BackendWasm;
    const same = { strides: 1, pad: 'same' } as const;
    const x = tf.zeros([1, 5, 5, 8]);
    // Output channels not a multiple of 4 (forward), input channels not a multiple of 4 (input gradient).
    const w6 = tf.zeros([3, 3, 8, 6]);
    assert.equal(conv2dSimd(backend, x, w6, same), undefined);
    const w3 = tf.zeros([3, 3, 3, 8]);
    const dy = tf.zeros([1, 5, 5, 8]);
    assert.equal(conv2dBackpropInputSimd(backend, dy, w3, [1, 5, 5, 3], same), undefined);
    // Fewer than 8 input channels (forward); dy with fewer than 4 channels (input gradient).
    const rgb = tf.zeros([1, 5, 5, 3]);
    assert.equal(conv2dSimd(backend, rgb, w3, same), undefined);
    const head = tf.zeros([3, 3, 8, 3]);
    assert.equal(conv2dBackpropInputSimd(backend, rgb, head, [1, 5, 5, 8], same), undefined);
    // A bias that is not one value per output channel.
    const w8 = tf.zeros([3, 3, 8, 8]);
    const scalarBias = tf.zeros([1]);
    assert.equal(conv2dSimd(backend, x, w8, same, scalarBias), undefined);
    const taken = conv2dSimd(backend, x, w8, same);
    assert.ok(taken !== undefined, 'the same conv with no bias is taken');
    backend.disposeData(taken.dataId);
    tf.dispose([x, w6, w3, dy, rgb, head, w8, scalarBias]);
  });
});

describe('BatchMatMul by the SIMD loops matches the cpu backend', () => {
  // [rows of a, inner, columns of the product]: row tails, a 4-wide column tail, and the swap model's dense layers.
  const sizes: [number, number, number][] = [
    [5, 9, 12],
    [8, 16, 20],
    [8, 128, 4096],
    [8, 2048, 128],
  ];
  for (const [m, k, n] of sizes) {
    for (const [transposeA, transposeB] of [
      [false, false],
      [false, true],
      [true, false],
    ] as const) {
      test(`${m}×${k} · ${k}×${n}, transposeA ${transposeA}, transposeB ${transposeB}`, async () => {
        const rand = seededRandom(m * 31 + k * 7 + n + (transposeA ? 1 : 0) + (transposeB ? 2 : 0));
        const aShape = transposeA ? [k, m] : [m, k];
        const bShape = transposeB ? [n, k] : [k, n];
        const inputs = {
          a: { values: randomValues(rand, aShape), shape: aShape },
          b: { values: randomValues(rand, bShape), shape: bShape },
        };
        // The kernel itself (tf.matMul may take _FusedMatMul instead, which stays stock).
        const [ours, reference] = await onBothBackends(
          inputs,
          (t) =>
            tf
              .engine()
              .runKernel(
                'BatchMatMul',
                { a: t['a']!.expandDims(0), b: t['b']!.expandDims(0) },
                { transposeA, transposeB },
              ) as tf.Tensor,
        );
        assert.ok(relativeError(ours, reference) <= 1e-5, `relative error ${relativeError(ours, reference)}`);
        const backend = tf.backend() as BackendWasm;
        const a = tf.tensor3d(inputs.a.values, [1, aShape[0]!, aShape[1]!]);
        const b = tf.tensor3d(inputs.b.values, [1, bShape[0]!, bShape[1]!]);
        const ids = backend.numDataIds();
        const direct = batchMatMulSimd(backend, a, b, transposeA, transposeB);
        assert.ok(direct !== undefined, 'taken by the SIMD loops');
        assert.equal(backend.numDataIds(), ids + 1, 'one new buffer: the output');
        assert.deepEqual(direct.shape, [1, m, n]);
        assert.deepEqual(backend.readSync(direct.dataId), ours);
        backend.disposeData(direct.dataId);
        tf.dispose([a, b]);
      });
    }
  }

  test('declines batches, two transposed operands, and shapes it does not tile', async () => {
    await setUpBackends();
    const backend = tf.backend() as BackendWasm;
    const cases: [number[], number[], boolean, boolean][] = [
      [[2, 8, 16], [2, 16, 8], false, false], // a batch of two
      [[1, 16, 8], [1, 8, 16], true, true],
      [[1, 8, 16], [1, 16, 6], false, false], // 6 columns
      [[1, 8, 4], [1, 4, 8], false, false], // inner size 4
      [[1, 8, 6], [1, 8, 6], true, false], // neither 6 nor 6 a multiple of 4
    ];
    for (const [aShape, bShape, ta, tb] of cases) {
      const a = tf.zeros(aShape);
      const b = tf.zeros(bShape);
      assert.equal(batchMatMulSimd(backend, a, b, ta, tb), undefined, `${aShape} · ${bShape}`);
      tf.dispose([a, b]);
    }
  });
});

describe('Sum and Mean over the axes before the last by one SIMD pass', () => {
  /** Each column of each outer block summed row by row in float32, the order the kernel promises. */
  function sequentialReduce(values: Float32Array, outer: number, cols: number, mean: boolean): Float32Array {
    const rows = values.length / outer / cols;
    const out = new Float32Array(outer * cols);
    for (let i = 0; i < values.length; i++) {
      const at = Math.floor(i / (rows * cols)) * cols + (i % cols);
      out[at] = Math.fround(out[at]! + values[i]!);
    }
    return mean ? out.map((v) => Math.fround(v / rows)) : out;
  }
  // [shape, first reduced axis]: a 4-wide body with and without a scalar tail, one column, ranks 2 to 4, all but
  // the last axis (biases, batch norm) and the middle ones (global average pooling), a detector-sized activation.
  const cases: [number[], number][] = [
    [[7, 5], 0],
    [[3, 4, 8], 0],
    [[2, 3, 5, 13], 0],
    [[9, 1], 0],
    [[16, 32, 32, 16], 0],
    [[3, 5, 7, 12], 1],
    [[2, 6, 6, 9], 2],
    [[4, 3, 3, 32], 1],
  ];
  for (const [shape, first] of cases) {
    test(`[${shape.join(', ')}] over axes ${first}…${shape.length - 2}, kept dims and not`, async () => {
      const rand = seededRandom(shape.reduce((a, b) => a * 7 + b, 3 + first));
      const values = randomValues(rand, shape);
      const axes = shape.slice(first, -1).map((_, i) => first + i);
      const outer = shape.slice(0, first).reduce((a, b) => a * b, 1);
      for (const mean of [false, true]) {
        for (const keepDims of [false, true]) {
          const [ours, reference] = await onBothBackends({ x: { values, shape } }, (t) =>
            mean ? tf.mean(t['x']!, axes, keepDims) : tf.sum(t['x']!, axes, keepDims),
          );
          assert.ok(
            relativeError(ours, reference) <= 1e-5,
            `relative error ${relativeError(ours, reference)}`,
          );
          assert.deepEqual(ours, sequentialReduce(values, outer, shape.at(-1)!, mean));
          const x = tf.tensor(values, shape);
          const backend = tf.backend() as BackendWasm;
          const ids = backend.numDataIds();
          const outShape = shape
            .filter((_, i) => !axes.includes(i) || keepDims)
            .map((d, i) => (keepDims && axes.includes(i) ? 1 : d));
          const direct = reduceRowsSimd(backend, x, axes, outShape, mean);
          assert.ok(direct !== undefined, 'taken by the SIMD loop');
          assert.equal(backend.numDataIds(), ids + 1, 'one new buffer: the output');
          assert.deepEqual(direct.shape, outShape);
          backend.disposeData(direct.dataId);
          x.dispose();
        }
      }
    });
  }

  test('declines other axes, other dtypes and no columns; tf.sum and tf.mean still give the right answer', async () => {
    await setUpBackends();
    const backend = tf.backend() as BackendWasm;
    const x = tf.tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    const cube = tf.tensor([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2]);
    const ints = tf.tensor([1, 2, 3, 4], [2, 2], 'int32');
    const empty = tf.zeros([0, 4]);
    const noColumns = tf.zeros([4, 0]);
    assert.equal(reduceRowsSimd(backend, x, [1], [2], false), undefined); // the last axis
    assert.equal(reduceRowsSimd(backend, x, [0, 1], [], true), undefined); // every axis
    assert.equal(reduceRowsSimd(backend, cube, [0], [2, 2], false), undefined); // a run not ending before the last
    assert.equal(reduceRowsSimd(backend, ints, [0], [2], false), undefined);
    assert.equal(reduceRowsSimd(backend, noColumns, [0], [0], false), undefined);
    assert.equal(reduceRowsSimd(backend, empty, [0], [4], true), undefined); // a mean of nothing: stock's NaN
    assert.deepEqual(tf.sum(x, 1).arraySync(), [6, 15]);
    assert.deepEqual(tf.mean(x, -2).arraySync(), [2.5, 3.5, 4.5]);
    assert.deepEqual(tf.sum(cube, 0).arraySync(), [
      [6, 8],
      [10, 12],
    ]);
    assert.deepEqual(tf.sum(ints, 0).arraySync(), [4, 6]);
    assert.deepEqual(tf.sum(empty, 0).arraySync(), [0, 0, 0, 0]); // no rows: ours, zeros
    tf.dispose([x, cube, ints, empty, noColumns]);
  });
});

describe('binary ops of a tensor and a per-channel vector by one SIMD pass', () => {
  const ops: [ChannelOp, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor, (a: number, b: number) => number][] = [
    ['add', tf.add, (a, b) => a + b],
    ['sub', tf.sub, (a, b) => a - b],
    ['mul', tf.mul, (a, b) => a * b],
    ['div', tf.div, (a, b) => a / b],
  ];
  // [full shape, vector shape]: [C] and [1, …, 1, C] vectors, a tail after the 4-wide body, one channel.
  const shapes: [number[], number[]][] = [
    [[2, 5, 5, 8], [8]],
    [
      [2, 5, 5, 8],
      [1, 1, 1, 8],
    ],
    [
      [3, 7, 13],
      [1, 13],
    ],
    [[6, 1], [1]],
  ];
  for (const [op, fn, scalar] of ops) {
    for (const [fullShape, vecShape] of shapes) {
      for (const vecFirst of [false, true]) {
        const name = vecFirst ? `[${vecShape}] ${op} [${fullShape}]` : `[${fullShape}] ${op} [${vecShape}]`;
        test(name, async () => {
          const rand = seededRandom(fullShape.length * 13 + vecShape.length + (vecFirst ? 5 : 0));
          const full = randomValues(rand, fullShape);
          // Divisors away from 0, so the relative comparison with the cpu backend is meaningful.
          const vec = randomValues(rand, vecShape).map((v) => (op === 'div' ? v + Math.sign(v || 1) : v));
          const [aShape, bShape] = vecFirst ? [vecShape, fullShape] : [fullShape, vecShape];
          const [ours, reference] = await onBothBackends(
            {
              a: { values: vecFirst ? vec : full, shape: aShape },
              b: { values: vecFirst ? full : vec, shape: bShape },
            },
            (t) => fn(t['a']!, t['b']!),
          );
          assert.ok(
            relativeError(ours, reference) <= 1e-6,
            `relative error ${relativeError(ours, reference)}`,
          );
          const cols = vecShape.at(-1)!;
          const exact = full.map((x, i) =>
            Math.fround(vecFirst ? scalar(vec[i % cols]!, x) : scalar(x, vec[i % cols]!)),
          );
          assert.deepEqual(ours, exact);
          const backend = tf.backend() as BackendWasm;
          const a = tf.tensor(vecFirst ? vec : full, aShape);
          const b = tf.tensor(vecFirst ? full : vec, bShape);
          const ids = backend.numDataIds();
          const direct = broadcastChannelsSimd(backend, a, b, op);
          assert.ok(direct !== undefined, 'taken by the SIMD loop');
          assert.equal(backend.numDataIds(), ids + 1, 'one new buffer: the output');
          assert.deepEqual(direct.shape, fullShape);
          backend.disposeData(direct.dataId);
          tf.dispose([a, b]);
        });
      }
    }
  }

  test('declines same shapes, other broadcasts and other dtypes; the stock kernels still give the right answer', async () => {
    await setUpBackends();
    const backend = tf.backend() as BackendWasm;
    const m = tf.tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    const column = tf.tensor([10, 20], [2, 1]);
    const scalar = tf.scalar(2);
    const ints = tf.tensor([1, 2, 3, 4, 5, 6], [2, 3], 'int32');
    const intRow = tf.tensor([1, 2, 3], [3], 'int32');
    assert.equal(broadcastChannelsSimd(backend, m, m, 'add'), undefined);
    assert.equal(broadcastChannelsSimd(backend, m, column, 'add'), undefined);
    assert.equal(broadcastChannelsSimd(backend, m, scalar, 'mul'), undefined);
    assert.equal(broadcastChannelsSimd(backend, ints, intRow, 'add'), undefined);
    assert.deepEqual(tf.add(m, column).arraySync(), [
      [11, 12, 13],
      [24, 25, 26],
    ]);
    assert.deepEqual(tf.mul(m, scalar).arraySync(), [
      [2, 4, 6],
      [8, 10, 12],
    ]);
    assert.deepEqual(tf.sub(ints, intRow).arraySync(), [
      [0, 0, 0],
      [3, 3, 3],
    ]);
    tf.dispose([m, column, scalar, ints, intRow]);
  });
});
