/**
 * Our own 128-bit SIMD training kernels (./assembly/conv2d.ts, compiled to ./assembly/conv2d.wasm), run on the
 * tfjs wasm backend's own heap: the module imports the backend's WebAssembly.Memory, so tensors are read and
 * written in place, with no copy in or out.
 *
 * - `conv2dBackpropFilterSimd`: the weight gradient (Conv2DBackpropFilter);
 * - `conv2dSimd`: the forward conv (Conv2D, and FusedConv2D with a bias and a linear or relu activation);
 * - `conv2dBackpropInputSimd`: the input gradient (Conv2DBackpropInput), a conv over dy that reads only the taps
 *   each pixel's stride phase has, so no product with an inserted zero is computed;
 * - `batchMatMulSimd`: BatchMatMul of one pair of matrices, as a 1×1 conv (forward gather or weight gradient);
 * - `leakyReluGradSimd`: the gradient of leakyRelu in one pass (kernel `UnmaskLeakyReluGrad`, used by the gradient
 *   in ../gradients/leaky-relu-grad.ts, and with alpha 0 by relu's);
 * - `reduceRowsSimd`: Sum and Mean over the axes before the last (bias gradients, batch norm's moments, global
 *   average pooling) in one pass, where the stock kernels transpose their input first;
 * - `broadcastChannelsSimd`: add, sub, mul and div between a tensor and a per-channel vector, which the stock
 *   kernels run through their general broadcast loop;
 * - `expandRowsSimd`: the gradient of a Sum or Mean over a run of axes (kernel `UnmaskExpandReduced`, used by
 *   ../gradients/reduce-grad.ts), a copy where tfjs-core multiplies by a tensor of ones filled in JavaScript;
 * - `depthwiseBackpropFilterSimd` and `depthwiseBackpropInputSimd`: the two gradients of a depthwise conv with
 *   channel multiplier 1 (DepthwiseConv2dNativeBackpropFilter and -Input, which the backend lacks), per-channel
 *   loops with the vectors along the channels, any channel count.
 * Each returns undefined where it does not apply (a backend build whose memory we cannot import, or channel counts
 * the loops do not tile), and the caller then takes the stock or XNNPACK path.
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { expandedRun } from '../gradients/reduce-grad.ts';
import { checkDyShape, conv2dGradInfo, type Conv2DGradParams } from './conv2d-backprop.ts';
import { depthwiseGradInfo, type DepthwiseGradParams } from './depthwise-backprop.ts';

/**
 * The part of the WebAssembly JS API used here. Node has all of it, but its type definitions (without the DOM
 * library, which the engine does not load) declare only the namespace.
 */
interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}
interface WasmApi {
  Memory: abstract new (...args: never[]) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: unknown };
}
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

type Shape4D = [number, number, number, number];

export const SIMD_KERNELS_WASM = new URL('./assembly/conv2d.wasm', import.meta.url);

interface SimdExports {
  conv2dFilterGrad(
    x: number,
    dy: number,
    dw: number,
    batch: number,
    inH: number,
    inW: number,
    inC: number,
    outH: number,
    outW: number,
    outC: number,
    kH: number,
    kW: number,
    sH: number,
    sW: number,
    dH: number,
    dW: number,
    padT: number,
    padL: number,
    bandRows: number,
  ): void;
  conv2dGather(
    src: number,
    w: number,
    bias: number,
    out: number,
    zero: number,
    batch: number,
    srcH: number,
    srcW: number,
    k: number,
    outH: number,
    outW: number,
    outC: number,
    kH: number,
    kW: number,
    mulH: number,
    kmulH: number,
    offH: number,
    divH: number,
    mulW: number,
    kmulW: number,
    offW: number,
    divW: number,
    pixStep: number,
    relu: boolean,
  ): void;
  packFilter(src: number, dst: number, taps: number, k: number, c: number, swap: boolean): void;
  leakyReluGrad(x: number, dy: number, out: number, n: number, alpha: number): void;
  reduceRows(src: number, out: number, outer: number, rows: number, cols: number, mean: boolean): void;
  broadcastChannels(
    full: number,
    vec: number,
    out: number,
    rows: number,
    cols: number,
    op: number,
    vecFirst: boolean,
  ): void;
  expandRows(src: number, out: number, outer: number, rows: number, cols: number): void;
  depthwiseFilterGrad(
    x: number,
    dy: number,
    dw: number,
    ...geometry: [...DepthwiseGeometry, bandRows: number]
  ): void;
  depthwiseInputGrad(dy: number, w: number, dx: number, ...geometry: DepthwiseGeometry): void;
}

/** batch, inH, inW, C, outH, outW, kH, kW, sH, sW, padT, padL: what both depthwise loops take. */
type DepthwiseGeometry = [
  batch: number,
  inH: number,
  inW: number,
  channels: number,
  outH: number,
  outW: number,
  kH: number,
  kW: number,
  sH: number,
  sW: number,
  padT: number,
  padL: number,
];

let compiled: object | undefined;
/** One instance per backend memory (a test may start more than one backend). */
const instances = new WeakMap<WasmMemory, SimdExports>();

function backendMemory(backend: BackendWasm): WasmMemory | undefined {
  const memory = (backend.wasm as unknown as { asm?: { memory?: unknown } }).asm?.memory;
  // The threaded build shares its memory, which a module declaring an unshared import cannot take.
  if (!(memory instanceof wasmApi.Memory) || memory.buffer instanceof SharedArrayBuffer) return undefined;
  return memory;
}

function simdKernels(backend: BackendWasm): SimdExports | undefined {
  const memory = backendMemory(backend);
  if (memory === undefined) return undefined;
  let kernels = instances.get(memory);
  if (kernels === undefined) {
    compiled ??= new wasmApi.Module(readFileSync(SIMD_KERNELS_WASM));
    kernels = new wasmApi.Instance(compiled, { env: { memory } }).exports as SimdExports;
    instances.set(memory, kernels);
  }
  return kernels;
}

/** Whether this backend can run the SIMD kernels (for benchmarks and tests). */
export function hasSimdKernels(backend: BackendWasm): boolean {
  return simdKernels(backend) !== undefined;
}

function heapOffset(backend: BackendWasm, t: tf.TensorInfo): number {
  return backend.dataIdMap.get(t.dataId)!.memoryOffset;
}

/** About 128 KiB of x and dy per band: an L2-sized working set for the taps and channel tiles passing over it. */
function bandRows(info: tf.backend_util.Conv2DInfo): number {
  const { batchSize, outWidth, inChannels, strideWidth, outChannels } = info;
  const bytesPerRow = batchSize * outWidth * (inChannels * strideWidth + outChannels) * 4;
  return Math.max(1, Math.floor((128 * 1024) / bytesPerRow));
}

/**
 * The weight gradient of an NHWC conv2d (kernel Conv2DBackpropFilter), computed by our SIMD loop nest, or
 * undefined where it does not apply.
 */
export function conv2dBackpropFilterSimd(
  backend: BackendWasm,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  filterShape: Shape4D,
  p: Conv2DGradParams,
): tf.TensorInfo | undefined {
  const [, , inChannels, outChannels] = filterShape;
  if (outChannels % 4 !== 0 && inChannels % 4 !== 0) return undefined;
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') return undefined;
  const kernels = simdKernels(backend);
  if (kernels === undefined) return undefined;
  const info = conv2dGradInfo(x.shape as Shape4D, filterShape, p);
  checkDyShape('Conv2DBackpropFilter', dy.shape, info);
  const out = backend.makeOutput(filterShape, 'float32');
  kernels.conv2dFilterGrad(
    heapOffset(backend, x),
    heapOffset(backend, dy),
    heapOffset(backend, out),
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.outChannels,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.dilationHeight,
    info.dilationWidth,
    info.padInfo.top,
    info.padInfo.left,
    bandRows(info),
  );
  return out;
}

/**
 * The filter [kh, kw, k, c] in the layout conv2dGather reads, [ceil(c / 8), kh, kw, k, 8]: each block of 8 output
 * channels one contiguous run, the last zero-padded. With `swapChannels` the filter's two channel axes trade roles
 * (the input gradient's output channels are the filter's input channels). One pass over the weights per call:
 * small beside the conv, and training changes the weights every step anyway. Dispose the result's dataId.
 */
function packFilter(
  backend: BackendWasm,
  kernels: SimdExports,
  filter: tf.TensorInfo,
  swapChannels: boolean,
): tf.TensorInfo {
  const [kh, kw, inC, outC] = filter.shape as Shape4D;
  const [k, c] = swapChannels ? [outC, inC] : [inC, outC];
  const packed = backend.makeOutput([Math.ceil(c / 8) * kh * kw * k * 8], 'float32');
  kernels.packFilter(heapOffset(backend, filter), heapOffset(backend, packed), kh * kw, k, c, swapChannels);
  return packed;
}

/** Geometry of conv2dGather: source pixel = (out·mul + tap·kmul + off) / div where that division is exact. */
interface GatherAxis {
  mul: number;
  kmul: number;
  off: number;
  div: number;
}

/**
 * Runs conv2dGather into a new output of `outShape`, with `filter` [kh, kw, k, c] (or [kh, kw, c, k] with
 * `swapChannels`) packed here by packFilter. A buffer of k zeros is made here too (the loop points a missing tap at
 * it); both are freed before returning.
 */
function gather(
  backend: BackendWasm,
  kernels: SimdExports,
  src: tf.TensorInfo,
  filter: tf.TensorInfo,
  swapChannels: boolean,
  bias: tf.TensorInfo | undefined,
  outShape: Shape4D,
  kernelSize: [number, number],
  rows: GatherAxis,
  cols: GatherAxis,
  pixStep: number,
  relu: boolean,
): tf.TensorInfo {
  const [batch, srcH, srcW, k] = src.shape as Shape4D;
  const w = packFilter(backend, kernels, filter, swapChannels);
  const out = backend.makeOutput(outShape, 'float32');
  const zero = backend.makeOutput([k], 'float32');
  (backend.typedArrayFromHeap(zero) as Float32Array).fill(0);
  kernels.conv2dGather(
    heapOffset(backend, src),
    heapOffset(backend, w),
    bias === undefined ? 0 : heapOffset(backend, bias),
    heapOffset(backend, out),
    heapOffset(backend, zero),
    batch,
    srcH,
    srcW,
    k,
    outShape[1],
    outShape[2],
    outShape[3],
    kernelSize[0],
    kernelSize[1],
    rows.mul,
    rows.kmul,
    rows.off,
    rows.div,
    cols.mul,
    cols.kmul,
    cols.off,
    cols.div,
    pixStep,
    relu,
  );
  backend.disposeData(zero.dataId);
  backend.disposeData(w.dataId);
  return out;
}

/** The fewest input channels for which conv2dSimd takes a forward conv (the swap's RGB layer ran at 2.0 GMAC/s here, 3.3 in XNNPACK). */
const MIN_GATHER_DEPTH = 8;

/** The fewest dy channels for which conv2dBackpropInputSimd takes an input gradient. */
const MIN_GRADIENT_DEPTH = 4;

export interface Conv2DSimdParams {
  strides: number | [number, number];
  pad: Conv2DGradParams['pad'];
  dilations?: number | [number, number];
  dimRoundingMode?: Conv2DGradParams['dimRoundingMode'];
}

/**
 * The forward NHWC conv2d, with an optional per-channel bias and relu, or undefined where it does not apply
 * (output channels not a multiple of 4, fewer than 8 input channels, a bias that is not one value per channel, or
 * not float32).
 */
export function conv2dSimd(
  backend: BackendWasm,
  x: tf.TensorInfo,
  filter: tf.TensorInfo,
  p: Conv2DSimdParams,
  bias?: tf.TensorInfo,
  relu = false,
): tf.TensorInfo | undefined {
  const filterShape = filter.shape as Shape4D;
  if (filterShape[3] % 4 !== 0 || x.dtype !== 'float32' || filter.dtype !== 'float32') return undefined;
  // Under 8 input channels (an RGB image) each tap's loop is too short to pay for its setup; XNNPACK does better.
  if (filterShape[2] < MIN_GATHER_DEPTH) return undefined;
  if (
    bias !== undefined &&
    (bias.dtype !== 'float32' || bias.shape.length !== 1 || bias.shape[0] !== filterShape[3])
  )
    return undefined;
  const kernels = simdKernels(backend);
  if (kernels === undefined) return undefined;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as Shape4D,
    filterShape,
    p.strides,
    p.dilations ?? 1,
    p.pad,
    p.dimRoundingMode,
  );
  if (info.inChannels !== filterShape[2]) {
    throw new Error(`Conv2D: input has ${info.inChannels} channels but the filter expects ${filterShape[2]}`);
  }
  return gather(
    backend,
    kernels,
    x,
    filter,
    false,
    bias,
    info.outShape,
    [info.filterHeight, info.filterWidth],
    { mul: info.strideHeight, kmul: info.dilationHeight, off: -info.padInfo.top, div: 1 },
    { mul: info.strideWidth, kmul: info.dilationWidth, off: -info.padInfo.left, div: 1 },
    1,
    relu,
  );
}

/**
 * The input gradient of an NHWC conv2d (Conv2DBackpropInput), or undefined where it does not apply (input channels
 * not a multiple of 4, or dy with fewer than 4 channels). It is a gather conv over dy whose output channels are the
 * filter's input channels.
 */
export function conv2dBackpropInputSimd(
  backend: BackendWasm,
  dy: tf.TensorInfo,
  filter: tf.TensorInfo,
  inputShape: Shape4D,
  p: Conv2DGradParams,
): tf.TensorInfo | undefined {
  const filterShape = filter.shape as Shape4D;
  if (inputShape[3] % 4 !== 0 || dy.dtype !== 'float32' || filter.dtype !== 'float32') return undefined;
  // dy with under 4 channels (the swap's RGB and mask heads): XNNPACK's conv by phases is faster (6.6 against 9.2 ms).
  if (filterShape[3] < MIN_GRADIENT_DEPTH) return undefined;
  const kernels = simdKernels(backend);
  if (kernels === undefined) return undefined;
  const info = conv2dGradInfo(inputShape, filterShape, p);
  checkDyShape('Conv2DBackpropInput', dy.shape, info);
  return gather(
    backend,
    kernels,
    dy,
    filter,
    true,
    undefined,
    inputShape,
    [info.filterHeight, info.filterWidth],
    { mul: 1, kmul: -1, off: info.padInfo.top, div: info.strideHeight },
    { mul: 1, kmul: -1, off: info.padInfo.left, div: info.strideWidth },
    info.strideWidth,
    false,
  );
}

/** out = x > 0 ? dy : alpha · dy, or undefined where it does not apply (not float32, or shapes that differ). */
export function leakyReluGradSimd(
  backend: BackendWasm,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  alpha: number,
): tf.TensorInfo | undefined {
  if (x.dtype !== 'float32' || dy.dtype !== 'float32' || !tf.util.arraysEqual(x.shape, dy.shape))
    return undefined;
  const kernels = simdKernels(backend);
  if (kernels === undefined) return undefined;
  const out = backend.makeOutput(dy.shape, 'float32');
  kernels.leakyReluGrad(
    heapOffset(backend, x),
    heapOffset(backend, dy),
    heapOffset(backend, out),
    tf.util.sizeFromShape(dy.shape),
    alpha,
  );
  return out;
}

/**
 * Sum or Mean of a float32 tensor over a run of axes that ends just before the last (all but the last: a bias
 * gradient or batch norm's moments; the middle ones: global average pooling), or undefined where it does not apply
 * (another dtype, other axes, no columns). `axes` must be normalised (non-negative); the output has the shape
 * `outShape`. No rows gives zeros for a Sum (the stock kernel returns whatever its output buffer held).
 */
export function reduceRowsSimd(
  backend: BackendWasm,
  x: tf.TensorInfo,
  axes: readonly number[],
  outShape: number[],
  mean: boolean,
): tf.TensorInfo | undefined {
  const rank = x.shape.length;
  const sorted = [...axes].sort((a, b) => a - b);
  const first = sorted[0] ?? -1;
  const contiguous = sorted.every((a, i) => a === first + i) && sorted.at(-1) === rank - 2;
  if (x.dtype !== 'float32' || rank < 2 || sorted.length === 0 || !contiguous) return undefined;
  const cols = x.shape[rank - 1]!;
  const outer = tf.util.sizeFromShape(x.shape.slice(0, first));
  const rows = tf.util.sizeFromShape(x.shape.slice(first, rank - 1));
  if (cols === 0 || outer === 0 || (mean && rows === 0)) return undefined;
  const kernels = simdKernels(backend);
  if (kernels === undefined) return undefined;
  const out = backend.makeOutput(outShape, 'float32');
  kernels.reduceRows(heapOffset(backend, x), heapOffset(backend, out), outer, rows, cols, mean);
  return out;
}

export type ChannelOp = 'add' | 'sub' | 'mul' | 'div';
const CHANNEL_OPS: Record<ChannelOp, number> = { add: 0, sub: 1, mul: 2, div: 3 };

/** Whether `vec` is a per-channel vector for `full`: size = full's last dimension, every other dimension 1. */
function isChannelVector(vec: readonly number[], full: readonly number[]): boolean {
  const cols = full.at(-1);
  return (
    cols !== undefined &&
    vec.length >= 1 &&
    vec.length <= full.length &&
    vec.at(-1) === cols &&
    vec.slice(0, -1).every((d) => d === 1)
  );
}

/**
 * a op b where one operand is a float32 tensor and the other a per-channel vector of it ([C], [1, 1, 1, C], …),
 * or undefined where that is not the case (same shapes, other broadcasts, other dtypes, empty tensors). The
 * output has the full operand's shape.
 */
export function broadcastChannelsSimd(
  backend: BackendWasm,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  op: ChannelOp,
): tf.TensorInfo | undefined {
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return undefined;
  const aSize = tf.util.sizeFromShape(a.shape);
  const bSize = tf.util.sizeFromShape(b.shape);
  let vecFirst: boolean;
  if (bSize < aSize && isChannelVector(b.shape, a.shape)) vecFirst = false;
  else if (aSize < bSize && isChannelVector(a.shape, b.shape)) vecFirst = true;
  else return undefined;
  const [full, vec] = vecFirst ? [b, a] : [a, b];
  const cols = vec.shape.at(-1)!;
  if (cols === 0) return undefined;
  const kernels = simdKernels(backend);
  if (kernels === undefined) return undefined;
  const out = backend.makeOutput(full.shape, 'float32');
  kernels.broadcastChannels(
    heapOffset(backend, full),
    heapOffset(backend, vec),
    heapOffset(backend, out),
    (vecFirst ? bSize : aSize) / cols,
    cols,
    CHANNEL_OPS[op],
    // Addition and multiplication commute bit for bit, so only sub and div need the reversed loop.
    vecFirst && (op === 'sub' || op === 'div'),
  );
  return out;
}

/**
 * `dy` (the reduction's output with its reduced axes kept as 1) repeated up to `shape` along those axes, which must
 * be one contiguous run (see `expandedRun`); undefined elsewhere or where the module is absent.
 */
export function expandRowsSimd(
  backend: BackendWasm,
  dy: tf.TensorInfo,
  shape: readonly number[],
  axes: readonly number[],
): tf.TensorInfo | undefined {
  const run = expandedRun(shape, axes);
  if (dy.dtype !== 'float32' || run === undefined) return undefined;
  if (tf.util.sizeFromShape(dy.shape) !== run.outer * run.cols) return undefined;
  const kernels = simdKernels(backend);
  if (kernels === undefined) return undefined;
  const out = backend.makeOutput([...shape], 'float32');
  if (run.outer * run.rows * run.cols > 0)
    kernels.expandRows(heapOffset(backend, dy), heapOffset(backend, out), run.outer, run.rows, run.cols);
  return out;
}

/** The same buffer under another shape (what the wasm backend's own Reshape returns). */
function view(t: tf.TensorInfo, shape: number[]): tf.TensorInfo {
  return { dataId: t.dataId, shape, dtype: t.dtype };
}

/**
 * BatchMatMul of one matrix pair (batch 1) as a 1×1 conv, or undefined where it does not apply (a batch of more
 * than one, both operands transposed, or sizes the loops do not tile). tfjs-backend-wasm's BatchMatMul ran the
 * swap model's dense-layer gradients at 0.3–0.6 GMAC/s (a transposed operand, 8 rows):
 *   - a · b and a · bᵀ: a gather conv over a's rows as pixels, with b packed as its filter;
 *   - aᵀ · b: the weight gradient of a 1×1 conv whose pixels are the shared rows of a and b.
 */
export function batchMatMulSimd(
  backend: BackendWasm,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
): tf.TensorInfo | undefined {
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return undefined;
  if (a.shape.length !== 3 || b.shape.length !== 3 || a.shape[0] !== 1 || b.shape[0] !== 1) return undefined;
  if (transposeA && transposeB) return undefined;
  const kernels = simdKernels(backend);
  if (kernels === undefined) return undefined;
  const [, a1, a2] = a.shape as [number, number, number];
  const [, b1, b2] = b.shape as [number, number, number];
  const contracted = [transposeA ? a1 : a2, transposeB ? b2 : b1];
  if (contracted[0] !== contracted[1]) {
    throw new Error(
      `BatchMatMul: inner dimensions differ, [${a.shape.join(', ')}] and [${b.shape.join(', ')}]`,
    );
  }
  if (transposeA) {
    // out[m, n] = Σ_p a[p, m] · b[p, n]
    const dw = conv2dBackpropFilterSimd(
      backend,
      view(a, [1, 1, a1, a2]),
      view(b, [1, 1, b1, b2]),
      [1, 1, a2, b2],
      {
        strides: 1,
        pad: 'valid',
      },
    );
    return dw === undefined ? undefined : view(dw, [1, a2, b2]);
  }
  const [rows, depth] = [a1, a2];
  const columns = transposeB ? b1 : b2;
  if (columns % 4 !== 0 || depth < MIN_GATHER_DEPTH) return undefined;
  // b as a 1×1 filter [1, 1, depth, columns]; bᵀ is the same filter with its channel axes swapped.
  const pointwise: GatherAxis = { mul: 1, kmul: 0, off: 0, div: 1 };
  const out = gather(
    backend,
    kernels,
    view(a, [1, 1, rows, depth]),
    view(b, [1, 1, b1, b2]),
    transposeB,
    undefined,
    [1, 1, rows, columns],
    [1, 1],
    pointwise,
    pointwise,
    1,
    false,
  );
  return view(out, [1, rows, columns]);
}

/** Geometry of the depthwise loops, from a conv with channel multiplier 1. */
function depthwiseGeometry(info: tf.backend_util.Conv2DInfo): DepthwiseGeometry {
  return [
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.padInfo.top,
    info.padInfo.left,
  ];
}

/**
 * Output rows per band of depthwiseFilterGrad: about 32 KiB of x and dy per band for one block of 16 channels (one
 * cache line a pixel), so that the band stays in L1 while every tap passes over it.
 */
function depthwiseBandRows(info: tf.backend_util.Conv2DInfo): number {
  const linesPerRow = info.strideHeight * info.inWidth + info.outWidth;
  return Math.max(1, Math.floor((32 * 1024) / (linesPerRow * 64)));
}

/**
 * The filter gradient of an NHWC depthwise conv2d (DepthwiseConv2dNativeBackpropFilter) by our SIMD loops, or
 * undefined where they do not apply (a channel multiplier other than 1, not float32, or no SIMD module). Throws for
 * a dilation other than 1 or a dy of the wrong shape.
 */
export function depthwiseBackpropFilterSimd(
  backend: BackendWasm,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  filterShape: Shape4D,
  p: DepthwiseGradParams,
): tf.TensorInfo | undefined {
  const kernel = tf.DepthwiseConv2dNativeBackpropFilter;
  const info = depthwiseGradInfo(kernel, x.shape as Shape4D, filterShape, p);
  checkDyShape(kernel, dy.shape, info);
  if (filterShape[3] !== 1 || x.dtype !== 'float32' || dy.dtype !== 'float32') return undefined;
  const kernels = simdKernels(backend);
  if (kernels === undefined) return undefined;
  const out = backend.makeOutput(filterShape, 'float32');
  kernels.depthwiseFilterGrad(
    heapOffset(backend, x),
    heapOffset(backend, dy),
    heapOffset(backend, out),
    ...depthwiseGeometry(info),
    depthwiseBandRows(info),
  );
  return out;
}

/**
 * The input gradient of an NHWC depthwise conv2d (DepthwiseConv2dNativeBackpropInput) by our SIMD loops, or
 * undefined where they do not apply (a channel multiplier other than 1, not float32, or no SIMD module). Throws for
 * a dilation other than 1 or a dy of the wrong shape.
 */
export function depthwiseBackpropInputSimd(
  backend: BackendWasm,
  dy: tf.TensorInfo,
  filter: tf.TensorInfo,
  inputShape: Shape4D,
  p: DepthwiseGradParams,
): tf.TensorInfo | undefined {
  const kernel = tf.DepthwiseConv2dNativeBackpropInput;
  const filterShape = filter.shape as Shape4D;
  const info = depthwiseGradInfo(kernel, inputShape, filterShape, p);
  checkDyShape(kernel, dy.shape, info);
  if (filterShape[3] !== 1 || dy.dtype !== 'float32' || filter.dtype !== 'float32') return undefined;
  const kernels = simdKernels(backend);
  if (kernels === undefined) return undefined;
  const out = backend.makeOutput(inputShape, 'float32');
  kernels.depthwiseInputGrad(
    heapOffset(backend, dy),
    heapOffset(backend, filter),
    heapOffset(backend, out),
    ...depthwiseGeometry(info),
  );
  return out;
}
