/**
 * The depthwise conv gradients on the wasm backend (DepthwiseConv2dNativeBackpropInput and -Filter: our SIMD loops,
 * ./simd-kernels.ts, and the forward-op fallbacks, ./depthwise-backprop.ts) against the cpu backend's kernels, over
 * strides, paddings, channel counts with and without a remainder of 4 or 16, and batch sizes; then the gradients
 * of a small depthwise conv → batch norm → relu6 block, and of a fused depthwise conv, through tf.grads on both
 * backends.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { Conv2DPad } from './conv2d-backprop.ts';
import { depthwiseBackpropFilterViaSlices, depthwiseBackpropInputViaConv } from './depthwise-backprop.ts';
import { displacedWasmKernel } from './register.ts';
import { depthwiseBackpropFilterSimd, depthwiseBackpropInputSimd, hasSimdKernels } from './simd-kernels.ts';
import { randomValues, relativeError, seededRandom, setUpBackends, useBackend } from './test-utils.ts';

type Shape4D = [number, number, number, number];

const TOLERANCE = 1e-5;

interface Case {
  x: Shape4D;
  k: number;
  strides: number | [number, number];
  pad: Conv2DPad;
  /** Channel multiplier (filter [k, k, C, m]); 1 unless given. */
  m?: number;
}

const CASES: Case[] = [
  // MobileNetV2's two kinds: 3×3 'same' at stride 1 and 2, and (Keras) 'valid' after a ZeroPadding2D at stride 2.
  { x: [3, 9, 9, 32], k: 3, strides: 1, pad: 'same' },
  { x: [3, 9, 11, 32], k: 3, strides: 2, pad: 'same' },
  { x: [1, 10, 10, 32], k: 3, strides: 2, pad: 'valid' },
  { x: [1, 8, 8, 32], k: 3, strides: 2, pad: 'same' },
  // Channels with a remainder: of 16 (4-wide vectors), of 4 (one channel at a time), under 4.
  { x: [3, 7, 5, 8], k: 3, strides: 1, pad: 'same' },
  { x: [1, 7, 9, 4], k: 3, strides: 2, pad: 'same' },
  { x: [3, 5, 7, 13], k: 3, strides: 1, pad: 'valid' },
  { x: [1, 11, 9, 13], k: 3, strides: 2, pad: 'same' },
  { x: [3, 9, 7, 3], k: 3, strides: 2, pad: 'valid' },
  { x: [1, 6, 6, 3], k: 3, strides: 1, pad: 'same' },
  { x: [3, 4, 4, 36], k: 3, strides: 1, pad: 'same' }, // 16 + 16 + 4
  // Explicit padding as numbers and per side, other kernel sizes, per-axis and stride-3 strides.
  { x: [3, 9, 8, 13], k: 3, strides: 2, pad: 1 },
  {
    x: [1, 9, 10, 20],
    k: 5,
    strides: 2,
    pad: [
      [0, 0],
      [1, 3],
      [4, 0],
      [0, 0],
    ],
  },
  { x: [3, 7, 9, 16], k: 5, strides: [2, 1], pad: 'same' },
  { x: [1, 11, 10, 8], k: 2, strides: 3, pad: 'valid' },
  { x: [1, 3, 3, 8], k: 5, strides: 1, pad: 'same' }, // taps wider than x
  // Several row bands (a 64-wide map at 16 channels: 10 output rows a band).
  { x: [1, 33, 64, 16], k: 3, strides: 1, pad: 'same' },
];

/** A channel multiplier above 1 takes the forward-op fallback. */
const MULTIPLIER_CASES: Case[] = [
  { x: [3, 7, 7, 3], k: 3, strides: 2, pad: 'same', m: 2 },
  { x: [1, 8, 9, 8], k: 3, strides: 1, pad: 'valid', m: 3 },
];

function filterShape(c: Case): Shape4D {
  return [c.k, c.k, c.x[3], c.m ?? 1];
}

function outShape(c: Case): Shape4D {
  return tf.backend_util.computeConv2DInfo(c.x, filterShape(c), c.strides, 1, c.pad, undefined, true)
    .outShape;
}

function describeCase(c: Case): string {
  const pad = typeof c.pad === 'object' ? JSON.stringify(c.pad.slice(1, 3)) : String(c.pad);
  const m = c.m === undefined ? '' : `, multiplier ${c.m}`;
  return `x ${c.x.join('×')}, ${c.k}×${c.k}, stride ${String(c.strides)}, pad ${pad}${m}`;
}

interface CaseData {
  x: Float32Array;
  filter: Float32Array;
  dy: Float32Array;
}

function caseData(c: Case, seed: number): CaseData {
  const rand = seededRandom(seed);
  return {
    x: randomValues(rand, c.x),
    filter: randomValues(rand, filterShape(c)),
    dy: randomValues(rand, outShape(c)),
  };
}

/** Both gradient kernels, run through the engine on the current backend: [dx, dw]. */
function runKernels(c: Case, d: CaseData): [Float32Array, Float32Array] {
  const attrs = { strides: c.strides, pad: c.pad, dilations: 1 };
  return tf.tidy(() => {
    const x = tf.tensor4d(d.x, c.x);
    const filter = tf.tensor4d(d.filter, filterShape(c));
    const dy = tf.tensor4d(d.dy, outShape(c));
    const dx = tf.engine().runKernel(tf.DepthwiseConv2dNativeBackpropInput, { dy, filter }, {
      ...attrs,
      inputShape: c.x,
    } as unknown as tf.NamedAttrMap) as tf.Tensor;
    const dw = tf.engine().runKernel(tf.DepthwiseConv2dNativeBackpropFilter, { x, dy }, {
      ...attrs,
      filterShape: filterShape(c),
    } as unknown as tf.NamedAttrMap) as tf.Tensor;
    return [dx.dataSync() as Float32Array, dw.dataSync() as Float32Array];
  });
}

/** The cpu backend's kernels on the same data. */
async function reference(c: Case, d: CaseData): Promise<[Float32Array, Float32Array]> {
  await useBackend('cpu');
  const out = runKernels(c, d);
  await useBackend('wasm');
  return out;
}

function assertClose(ours: Float32Array, expected: Float32Array, what: string): void {
  const error = relativeError(ours, expected);
  assert.ok(error <= TOLERANCE, `${what}: relative error ${error}`);
}

before(async () => {
  await setUpBackends();
});

describe('the wasm depthwise conv gradients match the cpu backend', () => {
  CASES.forEach((c, i) => {
    test(describeCase(c), async () => {
      const d = caseData(c, 3100 + i);
      const [refDx, refDw] = await reference(c, d);
      const [dx, dw] = runKernels(c, d);
      assertClose(dx, refDx, 'DepthwiseConv2dNativeBackpropInput');
      assertClose(dw, refDw, 'DepthwiseConv2dNativeBackpropFilter');

      // The registered kernels took the SIMD path: called directly it gives the same bytes, in one new buffer each.
      const backend = tf.backend() as BackendWasm;
      assert.ok(hasSimdKernels(backend), 'the Node wasm backend can host the SIMD kernels');
      const x = tf.tensor4d(d.x, c.x);
      const filter = tf.tensor4d(d.filter, filterShape(c));
      const dy = tf.tensor4d(d.dy, outShape(c));
      const ids = backend.numDataIds();
      const params = { strides: c.strides, pad: c.pad };
      const directDx = depthwiseBackpropInputSimd(backend, dy, filter, c.x, params);
      const directDw = depthwiseBackpropFilterSimd(backend, x, dy, filterShape(c), params);
      assert.ok(directDx !== undefined && directDw !== undefined);
      assert.equal(backend.numDataIds(), ids + 2, 'one new buffer per gradient: its output');
      assert.deepEqual(backend.readSync(directDx.dataId), dx);
      assert.deepEqual(backend.readSync(directDw.dataId), dw);
      backend.disposeData(directDx.dataId);
      backend.disposeData(directDw.dataId);
      tf.dispose([x, filter, dy]);
    });
  });

  MULTIPLIER_CASES.forEach((c, i) => {
    test(`by forward ops: ${describeCase(c)}`, async () => {
      const d = caseData(c, 3600 + i);
      const [refDx, refDw] = await reference(c, d);
      const [dx, dw] = runKernels(c, d);
      assertClose(dx, refDx, 'DepthwiseConv2dNativeBackpropInput');
      assertClose(dw, refDw, 'DepthwiseConv2dNativeBackpropFilter');
      const backend = tf.backend() as BackendWasm;
      const dy = tf.zeros(outShape(c));
      const filter = tf.zeros(filterShape(c));
      const params = { strides: c.strides, pad: c.pad };
      assert.equal(depthwiseBackpropInputSimd(backend, dy, filter, c.x, params), undefined);
      tf.dispose([dy, filter]);
    });
  });
});

describe('the forward-op fallbacks (for a backend without the SIMD module) match the cpu backend', () => {
  [...CASES.slice(0, 12), ...MULTIPLIER_CASES].forEach((c, i) => {
    test(describeCase(c), async () => {
      const d = caseData(c, 4100 + i);
      const [refDx, refDw] = await reference(c, d);
      const params = { strides: c.strides, pad: c.pad };
      const [dx, dw] = tf.tidy(() => {
        const x = tf.tensor4d(d.x, c.x);
        const filter = tf.tensor4d(d.filter, filterShape(c));
        const dy = tf.tensor4d(d.dy, outShape(c));
        return [
          depthwiseBackpropInputViaConv(dy, filter, c.x, params).dataSync() as Float32Array,
          depthwiseBackpropFilterViaSlices(x, dy, filterShape(c), params).dataSync() as Float32Array,
        ];
      });
      assertClose(dx!, refDx, 'input gradient');
      assertClose(dw!, refDw, 'filter gradient');
    });
  });
});

describe('a depthwise conv → batch norm → relu6 block has the same gradients on wasm as on cpu', () => {
  // MobileNetV2's depthwise stage at a small size: batch 3, 11×11×24, both strides.
  for (const strides of [1, 2] as const) {
    test(`stride ${strides}`, async () => {
      const rand = seededRandom(5000 + strides);
      const data = {
        x: randomValues(rand, [3, 11, 11, 24]),
        w: randomValues(rand, [3, 3, 24, 1]),
        gamma: randomValues(rand, [24]).map((v) => 1 + 0.5 * v),
        beta: randomValues(rand, [24]),
      };
      const outSize = strides === 1 ? 11 : 6;
      const projection = randomValues(rand, [3, outSize, outSize, 24]);
      const gradients = (): Float32Array[] =>
        tf.tidy(() => {
          const inputs = [
            tf.tensor4d(data.x, [3, 11, 11, 24]),
            tf.tensor4d(data.w, [3, 3, 24, 1]),
            tf.tensor1d(data.gamma),
            tf.tensor1d(data.beta),
          ];
          const p = tf.tensor4d(projection, [3, outSize, outSize, 24]);
          const loss = (x: tf.Tensor, w: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): tf.Scalar => {
            const y = tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, strides, 'same');
            const { mean, variance } = tf.moments(y, [0, 1, 2]);
            // A scale of 1.5–4.5 spreads the normalised values to about ±10, so relu6 clips at both ends.
            const normed = tf.batchNorm(y, mean, variance, beta, tf.mul(gamma, 3), 1e-3);
            return tf.sum(tf.mul(tf.clipByValue(normed, 0, 6), p));
          };
          return tf
            .grads(loss)(inputs)
            .map((g) => g.dataSync() as Float32Array);
        });

      await useBackend('cpu');
      const expected = gradients();
      await useBackend('wasm');
      gradients(); // once to settle what the backend keeps between calls
      const tensors = tf.memory().numTensors;
      const ids = (tf.backend() as BackendWasm).numDataIds();
      const ours = gradients();
      assert.equal(tf.memory().numTensors, tensors, 'no tensors left behind');
      assert.equal((tf.backend() as BackendWasm).numDataIds(), ids, 'no wasm buffers left behind');
      ['x', 'filter', 'gamma', 'beta'].forEach((name, i) => {
        const error = relativeError(ours[i]!, expected[i]!);
        assert.ok(error <= 1e-4, `gradient of ${name}: relative error ${error}`);
      });
    });
  }
});

test('the fused depthwise conv (bias, relu) has the same gradients on wasm as on cpu', async () => {
  const rand = seededRandom(5100);
  const data = [
    randomValues(rand, [2, 9, 9, 20]),
    randomValues(rand, [3, 3, 20, 1]),
    randomValues(rand, [20]),
  ];
  const gradients = (): Float32Array[] =>
    tf.tidy(() => {
      const inputs = [
        tf.tensor4d(data[0]!, [2, 9, 9, 20]),
        tf.tensor4d(data[1]!, [3, 3, 20, 1]),
        tf.tensor1d(data[2]!),
      ];
      const loss = (x: tf.Tensor, w: tf.Tensor, bias: tf.Tensor): tf.Scalar =>
        tf.sum(
          tf.square(
            tf.fused.depthwiseConv2d({
              x: x as tf.Tensor4D,
              filter: w as tf.Tensor4D,
              strides: 2,
              pad: 'same',
              bias,
              activation: 'relu',
            }),
          ),
        );
      return tf
        .grads(loss)(inputs)
        .map((g) => g.dataSync() as Float32Array);
    });
  await useBackend('cpu');
  const expected = gradients();
  await useBackend('wasm');
  const ours = gradients();
  ['x', 'filter', 'bias'].forEach((name, i) => {
    const error = relativeError(ours[i]!, expected[i]!);
    assert.ok(error <= 1e-4, `gradient of ${name}: relative error ${error}`);
  });
});

describe('depthwise kernel hygiene', () => {
  test('both gradients are registered for wasm (the backend has none of its own)', () => {
    for (const name of [tf.DepthwiseConv2dNativeBackpropInput, tf.DepthwiseConv2dNativeBackpropFilter]) {
      assert.ok(tf.getKernel(name, 'wasm'), `${name} is registered`);
      assert.equal(displacedWasmKernel(name), undefined, `${name} replaced no stock kernel`);
    }
  });

  test('a dilation other than 1, or a dy of the wrong shape, is refused with a clear error', async () => {
    await useBackend('wasm');
    const x = tf.zeros([1, 9, 9, 4]);
    const filter = tf.zeros([3, 3, 4, 1]);
    const dy = tf.zeros([1, 5, 5, 4]);
    const sameDy = tf.zeros([1, 9, 9, 4]);
    const dilated = { strides: 1, pad: 'same', dilations: 2 } as unknown as tf.NamedAttrMap;
    assert.throws(
      () =>
        tf.engine().runKernel(
          tf.DepthwiseConv2dNativeBackpropFilter,
          { x, dy: sameDy },
          {
            ...dilated,
            filterShape: [3, 3, 4, 1],
          },
        ),
      /DepthwiseConv2dNativeBackpropFilter on the wasm backend supports dilation 1 only, got \[2, 2\]/,
    );
    assert.throws(
      () =>
        tf.engine().runKernel(tf.DepthwiseConv2dNativeBackpropInput, { dy, filter }, {
          strides: 1,
          pad: 'same',
          dilations: [1, 3],
          inputShape: [1, 9, 9, 4],
        } as unknown as tf.NamedAttrMap),
      /DepthwiseConv2dNativeBackpropInput on the wasm backend supports dilation 1 only, got \[1, 3\]/,
    );
    assert.throws(
      () =>
        tf.engine().runKernel(tf.DepthwiseConv2dNativeBackpropInput, { dy, filter }, {
          strides: 1,
          pad: 'same',
          inputShape: [1, 9, 9, 4],
        } as unknown as tf.NamedAttrMap),
      /dy has shape \[1, 5, 5, 4\], expected \[1, 9, 9, 4\]/,
    );
    tf.dispose([x, filter, dy, sameDy]);
  });
});
