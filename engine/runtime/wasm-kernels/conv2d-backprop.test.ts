/**
 * Gradients of conv2d and conv2dTranspose on the wasm backend (our Conv2DBackpropFilter / Conv2DBackpropInput)
 * against the cpu backend's reference kernels, over a matrix of shapes, strides and paddings.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import {
  backpropInputPhases,
  conv2dBackpropInputViaConv,
  conv2dGradInfo,
  type Conv2DPad,
  type DimRoundingMode,
} from './conv2d-backprop.ts';
import { displacedWasmKernel, registerWasmTrainingKernels } from './register.ts';
import { randomValues, relativeError, seededRandom, setUpBackends, useBackend } from './test-utils.ts';

const TOLERANCE = 1e-4;

interface Case {
  n: number;
  h: number;
  w: number;
  ic: number;
  oc: number;
  kh: number;
  kw: number;
  strides: number | [number, number];
  pad: Conv2DPad;
  dimRoundingMode?: DimRoundingMode;
}

function describeCase(c: Case): string {
  const pad = typeof c.pad === 'object' ? JSON.stringify(c.pad.slice(1, 3)) : String(c.pad);
  const round = c.dimRoundingMode ? ` round=${c.dimRoundingMode}` : '';
  return `x ${c.n}×${c.h}×${c.w}×${c.ic}, filter ${c.kh}×${c.kw}→${c.oc}, stride ${String(c.strides)}, pad ${pad}${round}`;
}

function outShape(c: Case): [number, number, number, number] {
  const info = tf.backend_util.computeConv2DInfo(
    [c.n, c.h, c.w, c.ic],
    [c.kh, c.kw, c.ic, c.oc],
    c.strides,
    1,
    c.pad,
    c.dimRoundingMode,
  );
  return info.outShape;
}

/** The matrix: every kernel size × stride × padding kind, with random batch (1–3), size and channels (1–8). */
function buildCases(): Case[] {
  const rand = seededRandom(20240611);
  const pick = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
  const cases: Case[] = [
    { n: 2, h: 7, w: 9, ic: 3, oc: 4, kh: 3, kw: 3, strides: 2, pad: 'same' },
    { n: 3, h: 7, w: 9, ic: 8, oc: 5, kh: 3, kw: 3, strides: 2, pad: 'valid' },
    { n: 1, h: 9, w: 7, ic: 1, oc: 1, kh: 5, kw: 5, strides: 2, pad: 2 },
    { n: 2, h: 8, w: 8, ic: 4, oc: 8, kh: 3, kw: 3, strides: 1, pad: 'same' },
    // Explicit per-side padding, including more padding than the filter reaches.
    {
      n: 2,
      h: 9,
      w: 10,
      ic: 3,
      oc: 2,
      kh: 5,
      kw: 3,
      strides: 2,
      pad: [
        [0, 0],
        [1, 3],
        [4, 0],
        [0, 0],
      ],
    },
    // Different strides per axis, stride 3, even and non-square kernels, a 1×1 kernel with padding.
    { n: 2, h: 6, w: 7, ic: 2, oc: 3, kh: 3, kw: 3, strides: [2, 1], pad: 'same' },
    { n: 1, h: 11, w: 10, ic: 2, oc: 3, kh: 3, kw: 5, strides: 3, pad: 'valid' },
    { n: 2, h: 8, w: 9, ic: 3, oc: 2, kh: 2, kw: 4, strides: 2, pad: 'same' },
    { n: 2, h: 5, w: 6, ic: 3, oc: 4, kh: 1, kw: 1, strides: 2, pad: 1 },
    { n: 1, h: 3, w: 3, ic: 2, oc: 2, kh: 5, kw: 5, strides: 1, pad: 'same' },
    // One conv per phase (backpropInputPhases 'exact'): the swap encoder's 5×5 stride-2 convs down to a 4×4 map,
    // a 1×1 stride-2 kernel (one phase has no taps), stride 3, and odd explicit padding on both axes.
    ...EXACT_PHASE_CASES,
  ];
  for (const k of [1, 3, 5]) {
    for (const strides of [1, 2]) {
      for (const pad of ['same', 'valid', 'number'] as const) {
        cases.push({
          n: pick(1, 3),
          h: pick(k, k + 6),
          w: pick(k, k + 6),
          ic: pick(1, 8),
          oc: pick(1, 8),
          kh: k,
          kw: k,
          strides,
          pad: pad === 'number' ? pick(1, 2) : pad,
        });
      }
    }
  }
  return cases;
}

const EXACT_PHASE_CASES: Case[] = [
  { n: 2, h: 8, w: 8, ic: 8, oc: 3, kh: 5, kw: 5, strides: 2, pad: 'same' },
  { n: 2, h: 4, w: 4, ic: 9, oc: 5, kh: 5, kw: 5, strides: 2, pad: 'same' },
  { n: 1, h: 6, w: 6, ic: 8, oc: 2, kh: 1, kw: 1, strides: 2, pad: 'valid' },
  { n: 2, h: 9, w: 6, ic: 10, oc: 2, kh: 5, kw: 5, strides: 3, pad: 'same' },
  {
    n: 2,
    h: 8,
    w: 8,
    ic: 8,
    oc: 4,
    kh: 5,
    kw: 3,
    strides: 2,
    pad: [
      [0, 0],
      [1, 2],
      [2, 1],
      [0, 0],
    ],
  },
];

interface GradData {
  input: Float32Array;
  filter: Float32Array;
  /** Random weights r: the loss is Σ r · op(input, filter), so the incoming gradient dy is r, not all ones. */
  projection: Float32Array;
}

/** Gradients of Σ r · conv2d(x, w) (or conv2dTranspose) with respect to both arguments, on the current backend. */
function grads(c: Case, op: 'conv2d' | 'conv2dTranspose', data: GradData): [Float32Array, Float32Array] {
  const y = outShape(c);
  const inputShape = op === 'conv2d' ? [c.n, c.h, c.w, c.ic] : y;
  const resultShape = op === 'conv2d' ? y : [c.n, c.h, c.w, c.ic];
  const result = tf.tidy(() => {
    const input = tf.tensor4d(data.input, inputShape as [number, number, number, number]);
    const filter = tf.tensor4d(data.filter, [c.kh, c.kw, c.ic, c.oc]);
    const r = tf.tensor(data.projection, resultShape);
    const f = (a: tf.Tensor, b: tf.Tensor): tf.Scalar => {
      const out =
        op === 'conv2d'
          ? tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad, 'NHWC', 1, c.dimRoundingMode)
          : tf.conv2dTranspose(
              a as tf.Tensor4D,
              b as tf.Tensor4D,
              [c.n, c.h, c.w, c.ic],
              c.strides,
              c.pad,
              c.dimRoundingMode,
            );
      return tf.sum(tf.mul(out, r));
    };
    return tf.grads(f)([input, filter]);
  });
  const out: [Float32Array, Float32Array] = [
    result[0]!.dataSync() as Float32Array,
    result[1]!.dataSync() as Float32Array,
  ];
  tf.dispose(result);
  return out;
}

function makeData(c: Case, op: 'conv2d' | 'conv2dTranspose', seed: number): GradData {
  const rand = seededRandom(seed);
  const y = outShape(c);
  const x = [c.n, c.h, c.w, c.ic];
  return {
    input: randomValues(rand, op === 'conv2d' ? x : y),
    filter: randomValues(rand, [c.kh, c.kw, c.ic, c.oc]),
    projection: randomValues(rand, op === 'conv2d' ? y : x),
  };
}

let maxError = 0;

async function compareWithCpu(c: Case, op: 'conv2d' | 'conv2dTranspose', seed: number): Promise<void> {
  const data = makeData(c, op, seed);
  await useBackend('cpu');
  const [refInput, refFilter] = grads(c, op, data);
  await useBackend('wasm');
  const [input, filter] = grads(c, op, data);
  const eInput = relativeError(input, refInput);
  const eFilter = relativeError(filter, refFilter);
  maxError = Math.max(maxError, eInput, eFilter);
  assert.ok(eInput <= TOLERANCE, `d/d${op === 'conv2d' ? 'x' : 'dy'}: relative error ${eInput}`);
  assert.ok(eFilter <= TOLERANCE, `d/dfilter: relative error ${eFilter}`);
}

before(async () => {
  const names = await setUpBackends();
  assert.ok(names.includes('Conv2DBackpropFilter') && names.includes('Conv2DBackpropInput'));
});

describe('wasm conv2d gradients match the cpu backend', () => {
  buildCases().forEach((c, i) => {
    test(`conv2d: ${describeCase(c)}`, () => compareWithCpu(c, 'conv2d', 1000 + i));
  });
});

describe('wasm conv2dTranspose gradients match the cpu backend', () => {
  buildCases().forEach((c, i) => {
    test(`conv2dTranspose: ${describeCase(c)}`, () => compareWithCpu(c, 'conv2dTranspose', 5000 + i));
  });
});

/**
 * dimRoundingMode reaches both kernels through conv2dTranspose, but its gradient with respect to the input is the
 * stock wasm Conv2D, which mishandles a rounded-up output size (XNNPACK computes one row fewer and leaves zeros),
 * so these cases call the two kernels directly.
 */
describe('kernels with dimRoundingMode match the cpu backend', () => {
  const cases: Case[] = [
    { n: 2, h: 10, w: 9, ic: 3, oc: 4, kh: 3, kw: 3, strides: 2, pad: 1, dimRoundingMode: 'ceil' },
    { n: 1, h: 10, w: 11, ic: 2, oc: 3, kh: 3, kw: 3, strides: 2, pad: 0, dimRoundingMode: 'floor' },
    { n: 2, h: 8, w: 9, ic: 2, oc: 2, kh: 5, kw: 5, strides: 3, pad: 1, dimRoundingMode: 'round' },
  ];
  const run = (c: Case, data: GradData): [Float32Array, Float32Array] => {
    const attrs = {
      strides: c.strides,
      pad: c.pad,
      dataFormat: 'NHWC',
      dimRoundingMode: c.dimRoundingMode,
    } as unknown as tf.NamedAttrMap;
    const xShape: [number, number, number, number] = [c.n, c.h, c.w, c.ic];
    const filterShape: [number, number, number, number] = [c.kh, c.kw, c.ic, c.oc];
    const out = tf.tidy(() => {
      const x = tf.tensor4d(data.input, xShape);
      const filter = tf.tensor4d(data.filter, filterShape);
      const dy = tf.tensor4d(data.projection, outShape(c));
      return [
        tf
          .engine()
          .runKernel('Conv2DBackpropInput', { dy, filter }, { ...attrs, inputShape: xShape }) as tf.Tensor,
        tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape }) as tf.Tensor,
      ];
    });
    const values: [Float32Array, Float32Array] = [
      out[0]!.dataSync() as Float32Array,
      out[1]!.dataSync() as Float32Array,
    ];
    tf.dispose(out);
    return values;
  };
  cases.forEach((c, i) => {
    test(`kernels: ${describeCase(c)}`, async () => {
      const rand = seededRandom(9000 + i);
      const data: GradData = {
        input: randomValues(rand, [c.n, c.h, c.w, c.ic]),
        filter: randomValues(rand, [c.kh, c.kw, c.ic, c.oc]),
        projection: randomValues(rand, outShape(c)),
      };
      await useBackend('cpu');
      const [refDx, refDw] = run(c, data);
      await useBackend('wasm');
      const [dx, dw] = run(c, data);
      const eDx = relativeError(dx, refDx);
      const eDw = relativeError(dw, refDw);
      maxError = Math.max(maxError, eDx, eDw);
      assert.ok(eDx <= TOLERANCE, `Conv2DBackpropInput: relative error ${eDx}`);
      assert.ok(eDw <= TOLERANCE, `Conv2DBackpropFilter: relative error ${eDw}`);
    });
  });
});

after(() => console.log(`max relative error wasm vs cpu: ${maxError.toExponential(2)}`));

describe('the input gradient splits strided convs by phase where that saves work', () => {
  const plan = (c: Case) =>
    backpropInputPhases(conv2dGradInfo([c.n, c.h, c.w, c.ic], [c.kh, c.kw, c.ic, c.oc], c));
  test('the exact-phase cases above take the per-phase path', () => {
    for (const c of EXACT_PHASE_CASES) assert.equal(plan(c), 'exact', describeCase(c));
  });
  test('stride 1, strides that do not divide the input, filters without zero taps and few channels stay merged', () => {
    const base = { n: 1, ic: 16, oc: 2, pad: 'same' as const };
    assert.equal(plan({ ...base, h: 8, w: 8, kh: 3, kw: 3, strides: 1 }), 'merged');
    assert.equal(plan({ ...base, h: 9, w: 8, kh: 5, kw: 5, strides: 2 }), 'merged');
    assert.equal(plan({ ...base, h: 8, w: 8, kh: 5, kw: 5, strides: 2 }), 'exact');
    assert.equal(plan({ ...base, h: 8, w: 8, kh: 5, kw: 5, strides: 2, ic: 3 }), 'merged');
    // 4×4 stride 2 on a 64² map: no zero taps, one spare grid row: under 1.2× the work.
    assert.equal(plan({ ...base, h: 64, w: 64, kh: 4, kw: 4, strides: 2 }), 'merged');
  });
});

describe('both phase plans give the same input gradient', () => {
  const cases: Case[] = [
    ...EXACT_PHASE_CASES,
    { n: 2, h: 8, w: 8, ic: 3, oc: 4, kh: 5, kw: 5, strides: 2, pad: 'same' },
    { n: 1, h: 8, w: 6, ic: 2, oc: 3, kh: 4, kw: 4, strides: 2, pad: 'same' },
  ];
  cases.forEach((c, i) => {
    test(`merged = exact: ${describeCase(c)}`, async () => {
      await useBackend('wasm');
      const rand = seededRandom(7000 + i);
      const [merged, exact] = tf.tidy(() => {
        const filter = tf.tensor4d(randomValues(rand, [c.kh, c.kw, c.ic, c.oc]), [c.kh, c.kw, c.ic, c.oc]);
        const dy = tf.tensor4d(randomValues(rand, outShape(c)), outShape(c));
        const x: [number, number, number, number] = [c.n, c.h, c.w, c.ic];
        return (['merged', 'exact'] as const).map(
          (plan) => conv2dBackpropInputViaConv(dy, filter, x, c, plan).dataSync() as Float32Array,
        );
      });
      const error = relativeError(exact!, merged!);
      assert.ok(error <= TOLERANCE, `relative error ${error}`);
    });
  });
  test('one conv per phase refuses strides that do not divide the input', () => {
    const dy = tf.zeros([1, 5, 4, 2]) as tf.Tensor4D;
    const filter = tf.zeros([3, 3, 2, 2]) as tf.Tensor4D;
    assert.throws(
      () => conv2dBackpropInputViaConv(dy, filter, [1, 9, 8, 2], { strides: 2, pad: 'same' }, 'exact'),
      /divide the input \(9×8, stride 2×2\)/,
    );
    tf.dispose([dy, filter]);
  });
});

describe('kernel hygiene', () => {
  test('our kernels, not the stock ones, are registered for wasm; registering twice changes nothing', () => {
    const filterKernel = tf.getKernel('Conv2DBackpropFilter', 'wasm');
    const inputKernel = tf.getKernel('Conv2DBackpropInput', 'wasm');
    assert.ok(filterKernel && inputKernel);
    assert.ok(displacedWasmKernel('Conv2DBackpropInput'), 'the stock Conv2DBackpropInput was replaced');
    assert.notEqual(displacedWasmKernel('Conv2DBackpropInput')!.kernelFunc, inputKernel.kernelFunc);
    const warnings: unknown[] = [];
    const warn = console.warn;
    const names = registerWasmTrainingKernels();
    console.warn = (...args: unknown[]) => void warnings.push(args);
    try {
      assert.deepEqual(registerWasmTrainingKernels(), names);
    } finally {
      console.warn = warn;
    }
    assert.deepEqual(warnings, []);
    assert.equal(tf.getKernel('Conv2DBackpropFilter', 'wasm')!.kernelFunc, filterKernel.kernelFunc);
    assert.equal(tf.getKernel('Conv2DBackpropInput', 'wasm')!.kernelFunc, inputKernel.kernelFunc);
  });

  test('no tensors or wasm buffers leak from gradients or from a direct kernel call', async () => {
    await useBackend('wasm');
    const c: Case = { n: 2, h: 9, w: 7, ic: 3, oc: 4, kh: 3, kw: 3, strides: 2, pad: 'same' };
    const data = makeData(c, 'conv2d', 7);
    grads(c, 'conv2d', data); // warm-up
    const tensorsBefore = tf.memory().numTensors;
    const buffersBefore = tf.backend().numDataIds();
    grads(c, 'conv2d', data);
    grads(c, 'conv2dTranspose', makeData(c, 'conv2dTranspose', 8));
    assert.equal(tf.memory().numTensors, tensorsBefore);
    assert.equal(tf.backend().numDataIds(), buffersBefore);

    // A direct kernel call adds exactly its one output.
    const x = tf.tensor4d(data.input, [2, 9, 7, 3]);
    const dy = tf.ones(outShape(c));
    const w = tf.ones([3, 3, 3, 4]);
    const t0 = tf.memory().numTensors;
    const b0 = tf.backend().numDataIds();
    const attrs = { strides: 2, pad: 'same', dataFormat: 'NHWC' };
    const dw = tf
      .engine()
      .runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: [3, 3, 3, 4] });
    const dx = tf
      .engine()
      .runKernel('Conv2DBackpropInput', { dy, filter: w }, { ...attrs, inputShape: x.shape });
    assert.equal(tf.memory().numTensors, t0 + 2);
    assert.equal(tf.backend().numDataIds(), b0 + 2);
    assert.deepEqual((dw as tf.Tensor).shape, [3, 3, 3, 4]);
    assert.deepEqual((dx as tf.Tensor).shape, [2, 9, 7, 3]);
    tf.dispose([x, dy, w, dw as tf.Tensor, dx as tf.Tensor]);
    assert.equal(tf.memory().numTensors, tensorsBefore);
    assert.equal(tf.backend().numDataIds(), buffersBefore);
  });

  test('NCHW is refused with a clear error', async () => {
    await useBackend('wasm');
    const x = tf.zeros([1, 2, 5, 5]);
    const dy = tf.zeros([1, 2, 5, 5]);
    const attrs = { strides: 1, pad: 'same', dataFormat: 'NCHW', filterShape: [3, 3, 2, 2] };
    assert.throws(
      () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs),
      /supports dataFormat 'NHWC' only/,
    );
    tf.dispose([x, dy]);
  });
});
