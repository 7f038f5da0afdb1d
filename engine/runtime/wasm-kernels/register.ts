/**
 * Training kernels that @tensorflow/tfjs-backend-wasm 4.22 lacks or runs slowly:
 *   - Conv2DBackpropFilter (missing: the weight gradient of conv2d and of conv2dTranspose), run by our own SIMD
 *     loop nest on the backend's heap (./simd-kernels.ts), or where that does not apply as one forward Conv2D;
 *   - Conv2DBackpropInput (present, but a naive loop: 2–12× slower than this one, see bench/wasm-kernels.bench.ts),
 *     run by our SIMD gather conv over dy (./simd-kernels.ts), or as forward Conv2Ds by stride phase
 *     (./conv2d-backprop.ts) where the input's channels are not a multiple of 4;
 *   - DepthwiseConv2dNativeBackpropFilter and DepthwiseConv2dNativeBackpropInput (missing: depthwise convs, as in
 *     MobileNetV2, could not train), run by our SIMD per-channel loops (./simd-kernels.ts) for a channel multiplier
 *     of 1, or as forward ops (./depthwise-backprop.ts) for larger ones; dilation 1 only;
 *   - BatchMatMul of one pair of matrices (the dense layers' gradients ran at 0.3–0.6 GMAC/s), as a 1×1 conv;
 *   - UnmaskLeakyReluGrad, the leakyRelu (and relu) gradient in one pass (../gradients/leaky-relu-grad.ts uses it);
 *   - UnmaskExpandReduced, the Sum and Mean gradients as one copy of dy (../gradients/reduce-grad.ts uses it);
 *   - Sum and Mean over the axes before the last (bias gradients, batch norm's moments, global average pooling)
 *     in one pass: the stock kernels transpose their input first;
 *   - Add, Sub, Multiply and RealDiv of a tensor and a per-channel vector (batch norm, biases) in one pass: the
 *     stock kernels run them through a general broadcast loop at a quarter of their same-shape speed;
 *   - Conv2D and FusedConv2D (with a bias and a linear or relu activation) by the same SIMD gather conv: XNNPACK
 *     packs a filter on first use, and in training every step brings new weights; other cases stay stock;
 *   - AvgPoolGrad for stride-1 unpadded pools (the SSIM loss's windows) as one forward AvgPool (./avg-pool-grad.ts);
 *   - Slice, Unpack, SplitV and Concat as heap-to-heap copies (./copy-kernels.ts): the stock Slice copies its
 *     whole input on every call; Identity (the clones tfjs saves for gradients) shares its input's buffer.
 */
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { avgPoolGradViaPool } from './avg-pool-grad.ts';
import { conv2dBackpropFilterViaConv, conv2dBackpropInputViaConv } from './conv2d-backprop.ts';
import { depthwiseBackpropFilterViaSlices, depthwiseBackpropInputViaConv } from './depthwise-backprop.ts';
import { LEAKY_RELU_GRAD } from '../gradients/leaky-relu-grad.ts';
import { EXPAND_REDUCED, expandedRun, type ExpandReducedAttrs } from '../gradients/reduce-grad.ts';
import {
  batchMatMulSimd,
  broadcastChannelsSimd,
  conv2dBackpropFilterSimd,
  conv2dBackpropInputSimd,
  conv2dSimd,
  depthwiseBackpropFilterSimd,
  depthwiseBackpropInputSimd,
  expandRowsSimd,
  leakyReluGradSimd,
  reduceRowsSimd,
  type ChannelOp,
} from './simd-kernels.ts';
import { concatKernel, identityKernel, sliceKernel, splitVKernel, unpackKernel } from './copy-kernels.ts';

const BACKEND = 'wasm';
const require = createRequire(import.meta.url);

/** Kernels we displaced, kept so a benchmark can still run the stock one. */
const displaced = new Map<string, tf.KernelConfig>();

function checkNhwc(kernelName: string, dataFormat: string): void {
  if (dataFormat !== 'NHWC') {
    throw new Error(
      `${kernelName} on the wasm backend supports dataFormat 'NHWC' only, got '${dataFormat}' ` +
        `(the wasm Conv2D is channels-last only too)`,
    );
  }
}

/** Kernel inputs are normally Tensors; wrap a bare TensorInfo (its refcount is released by the enclosing tidy). */
function asTensor4D(t: tf.TensorInfo | undefined, name: string): tf.Tensor4D {
  if (t === undefined) throw new Error(`missing kernel input '${name}'`);
  if (t.shape.length !== 4)
    throw new Error(`kernel input '${name}' must be rank 4, got [${t.shape.join(', ')}]`);
  return (t instanceof tf.Tensor ? t : tf.engine().makeTensorFromTensorInfo(t)) as tf.Tensor4D;
}

// The returned Tensor is a valid TensorInfo; the engine adopts it as the kernel's output without a new reference.
const conv2dBackpropFilter: tf.KernelFunc = ({ inputs, attrs, backend }) => {
  const a = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  checkNhwc(tf.Conv2DBackpropFilter, a.dataFormat);
  const { x, dy } = inputs;
  if (x !== undefined && dy !== undefined) {
    const simd = conv2dBackpropFilterSimd(backend as BackendWasm, x, dy, a.filterShape, a);
    if (simd !== undefined) return simd;
  }
  return tf.tidy(() =>
    conv2dBackpropFilterViaConv(
      asTensor4D(inputs['x'], 'x'),
      asTensor4D(inputs['dy'], 'dy'),
      a.filterShape,
      a,
    ),
  );
};

const conv2dBackpropInput: tf.KernelFunc = ({ inputs, attrs, backend }) => {
  const a = attrs as unknown as tf.Conv2DBackpropInputAttrs;
  checkNhwc(tf.Conv2DBackpropInput, a.dataFormat);
  const { dy, filter } = inputs;
  if (dy !== undefined && filter !== undefined) {
    const simd = conv2dBackpropInputSimd(backend as BackendWasm, dy, filter, a.inputShape, a);
    if (simd !== undefined) return simd;
  }
  return tf.tidy(() =>
    conv2dBackpropInputViaConv(
      asTensor4D(inputs['dy'], 'dy'),
      asTensor4D(inputs['filter'], 'filter'),
      a.inputShape,
      a,
    ),
  );
};

const depthwiseBackpropFilter: tf.KernelFunc = ({ inputs, attrs, backend }) => {
  const a = attrs as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
  const { x, dy } = inputs;
  if (x !== undefined && dy !== undefined) {
    const simd = depthwiseBackpropFilterSimd(backend as BackendWasm, x, dy, a.filterShape, a);
    if (simd !== undefined) return simd;
  }
  return tf.tidy(() =>
    depthwiseBackpropFilterViaSlices(asTensor4D(x, 'x'), asTensor4D(dy, 'dy'), a.filterShape, a),
  );
};

const depthwiseBackpropInput: tf.KernelFunc = ({ inputs, attrs, backend }) => {
  const a = attrs as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs;
  const { dy, filter } = inputs;
  if (dy !== undefined && filter !== undefined) {
    const simd = depthwiseBackpropInputSimd(backend as BackendWasm, dy, filter, a.inputShape, a);
    if (simd !== undefined) return simd;
  }
  return tf.tidy(() =>
    depthwiseBackpropInputViaConv(asTensor4D(dy, 'dy'), asTensor4D(filter, 'filter'), a.inputShape, a),
  );
};

/** The stock kernel we displaced, for the cases ours leaves to it. */
function stock(kernelName: string): tf.KernelFunc {
  const config = displaced.get(kernelName);
  if (!config) throw new Error(`no stock wasm kernel ${kernelName} to fall back on`);
  return config.kernelFunc;
}

/** Forward convs: ours for NHWC with a linear or relu activation, the stock (XNNPACK) kernel otherwise. */
const conv2d: tf.KernelFunc = (args) => {
  const a = args.attrs as unknown as tf.Conv2DAttrs;
  const { x, filter } = args.inputs;
  if (a.dataFormat === 'NHWC' && x !== undefined && filter !== undefined) {
    const simd = conv2dSimd(args.backend as BackendWasm, x, filter, a);
    if (simd !== undefined) return simd;
  }
  return stock(tf.Conv2D)(args);
};

const fusedConv2d: tf.KernelFunc = (args) => {
  const a = args.attrs as unknown as tf.FusedConv2DAttrs;
  const { x, filter, bias, preluActivationWeights } = args.inputs;
  const activation = a.activation ?? 'linear';
  if (
    a.dataFormat === 'NHWC' &&
    (activation === 'linear' || activation === 'relu') &&
    preluActivationWeights === undefined &&
    x !== undefined &&
    filter !== undefined
  ) {
    const simd = conv2dSimd(args.backend as BackendWasm, x, filter, a, bias, activation === 'relu');
    if (simd !== undefined) return simd;
  }
  return stock(tf.FusedConv2D)(args);
};

/** Single matrix products by our SIMD loops (the dense layers' gradients), every other case by the stock kernel. */
const batchMatMul: tf.KernelFunc = (args) => {
  const { a, b } = args.inputs;
  const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
  if (a !== undefined && b !== undefined) {
    const simd = batchMatMulSimd(args.backend as BackendWasm, a, b, transposeA, transposeB);
    if (simd !== undefined) return simd;
  }
  return stock(tf.BatchMatMul)(args);
};

/** The fused leakyRelu gradient (see ../gradients/leaky-relu-grad.ts); JavaScript where the SIMD module is absent. */
const leakyReluGrad: tf.KernelFunc = ({ inputs, attrs, backend }) => {
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const { alpha } = attrs as unknown as { alpha: number };
  const simd = leakyReluGradSimd(backend as BackendWasm, x, dy, alpha);
  if (simd !== undefined) return simd;
  const wasm = backend as BackendWasm;
  const out = wasm.makeOutput(dy.shape, dy.dtype);
  const xs = wasm.typedArrayFromHeap(x) as Float32Array;
  const ds = wasm.typedArrayFromHeap(dy) as Float32Array;
  const os = wasm.typedArrayFromHeap(out) as Float32Array;
  for (let i = 0; i < os.length; i++) os[i] = xs[i]! > 0 ? ds[i]! : alpha * ds[i]!;
  return out;
};

/**
 * The Sum and Mean gradients' copy of dy (see ../gradients/reduce-grad.ts), which only calls it for a contiguous
 * run of axes; JavaScript where the SIMD module is absent.
 */
const expandReduced: tf.KernelFunc = ({ inputs, attrs, backend }) => {
  const { dy } = inputs as { dy: tf.TensorInfo };
  const { shape, axes } = attrs as unknown as ExpandReducedAttrs;
  const wasm = backend as BackendWasm;
  const simd = expandRowsSimd(wasm, dy, shape, axes);
  if (simd !== undefined) return simd;
  const run = expandedRun(shape, axes);
  if (run === undefined || dy.dtype !== 'float32')
    throw new Error(`${EXPAND_REDUCED}: axes [${axes.join(', ')}] of [${shape.join(', ')}] are not one run`);
  const out = wasm.makeOutput(shape, 'float32');
  const src = wasm.typedArrayFromHeap(dy) as Float32Array;
  const dst = wasm.typedArrayFromHeap(out) as Float32Array;
  const { outer, rows, cols } = run;
  for (let o = 0; o < outer; o++)
    for (let r = 0; r < rows; r++) dst.set(src.subarray(o * cols, (o + 1) * cols), (o * rows + r) * cols);
  return out;
};

/** Sum or Mean over the axes before the last by one SIMD pass; any other reduction by the stock kernel. */
function reduction(kernelName: typeof tf.Sum | typeof tf.Mean): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs;
    const axes = tf.util.parseAxisParam(axis, x.shape);
    const outShape = keepDims
      ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d))
      : x.shape.filter((_, i) => !axes.includes(i));
    const simd = reduceRowsSimd(args.backend as BackendWasm, x, axes, outShape, kernelName === tf.Mean);
    return simd ?? stock(kernelName)(args);
  };
}

/** A tensor with a per-channel vector by one SIMD pass; every other pair of operands by the stock kernel. */
function channelBinary(kernelName: string, op: ChannelOp): tf.KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    return broadcastChannelsSimd(args.backend as BackendWasm, a, b, op) ?? stock(kernelName)(args);
  };
}

/** A kernel whose stock fallback binds its wasm function in its setupFunc. */
function withStockSetup(kernelName: string, kernelFunc: tf.KernelFunc): tf.KernelConfig {
  return {
    kernelName,
    backendName: BACKEND,
    kernelFunc,
    setupFunc: (backend) => displaced.get(kernelName)?.setupFunc?.(backend),
  };
}

const avgPoolGrad: tf.KernelFunc = (args) => {
  const a = args.attrs as unknown as tf.AvgPoolGradAttrs;
  const input = asTensor4D(args.inputs['input'], 'input');
  const dx = tf.tidy(() => avgPoolGradViaPool(asTensor4D(args.inputs['dy'], 'dy'), input.shape, a));
  return dx ?? stock(tf.AvgPoolGrad)(args);
};

const KERNELS: readonly tf.KernelConfig[] = [
  { kernelName: tf.Conv2DBackpropFilter, backendName: BACKEND, kernelFunc: conv2dBackpropFilter },
  { kernelName: tf.Conv2DBackpropInput, backendName: BACKEND, kernelFunc: conv2dBackpropInput },
  {
    kernelName: tf.DepthwiseConv2dNativeBackpropFilter,
    backendName: BACKEND,
    kernelFunc: depthwiseBackpropFilter,
  },
  {
    kernelName: tf.DepthwiseConv2dNativeBackpropInput,
    backendName: BACKEND,
    kernelFunc: depthwiseBackpropInput,
  },
  withStockSetup(tf.Conv2D, conv2d),
  withStockSetup(tf.FusedConv2D, fusedConv2d),
  withStockSetup(tf.AvgPoolGrad, avgPoolGrad),
  withStockSetup(tf.BatchMatMul, batchMatMul),
  withStockSetup(tf.Sum, reduction(tf.Sum)),
  withStockSetup(tf.Mean, reduction(tf.Mean)),
  withStockSetup(tf.Add, channelBinary(tf.Add, 'add')),
  withStockSetup(tf.Sub, channelBinary(tf.Sub, 'sub')),
  withStockSetup(tf.Multiply, channelBinary(tf.Multiply, 'mul')),
  withStockSetup(tf.RealDiv, channelBinary(tf.RealDiv, 'div')),
  { kernelName: LEAKY_RELU_GRAD, backendName: BACKEND, kernelFunc: leakyReluGrad },
  { kernelName: EXPAND_REDUCED, backendName: BACKEND, kernelFunc: expandReduced },
  { kernelName: tf.Slice, backendName: BACKEND, kernelFunc: sliceKernel(stock) },
  { kernelName: tf.Unpack, backendName: BACKEND, kernelFunc: unpackKernel(stock) },
  { kernelName: tf.SplitV, backendName: BACKEND, kernelFunc: splitVKernel(stock) },
  { kernelName: tf.Concat, backendName: BACKEND, kernelFunc: concatKernel(stock) },
  { kernelName: tf.Identity, backendName: BACKEND, kernelFunc: identityKernel(stock) },
];

/**
 * Registers the kernels above for the wasm backend, replacing stock ones of the same name, and returns their
 * names. Idempotent. Loads @tensorflow/tfjs-backend-wasm first, so that its own registrations cannot land later
 * and overwrite ours.
 */
export function registerWasmTrainingKernels(): string[] {
  require('@tensorflow/tfjs-backend-wasm');
  for (const config of KERNELS) {
    const current = tf.getKernel(config.kernelName, BACKEND);
    if (current?.kernelFunc === config.kernelFunc) continue;
    if (current !== undefined) {
      if (!displaced.has(config.kernelName)) displaced.set(config.kernelName, current);
      tf.unregisterKernel(config.kernelName, BACKEND);
    }
    tf.registerKernel(config);
  }
  return KERNELS.map((k) => k.kernelName);
}

/**
 * The stock wasm kernel that registerWasmTrainingKernels replaced, if any (for benchmarks). Its setupFunc has not
 * run if the wasm backend started after the replacement: call it with the backend before using kernelFunc.
 */
export function displacedWasmKernel(kernelName: string): tf.KernelConfig | undefined {
  return displaced.get(kernelName);
}
