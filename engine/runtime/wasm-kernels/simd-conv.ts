/**
 * Our own 128-bit SIMD conv kernels (./assembly/conv2d-grad.ts, compiled to ./assembly/conv2d-grad.wasm), run on
 * the tfjs wasm backend's own heap: the module imports the backend's WebAssembly.Memory, so tensors are read and
 * written in place, with no copy in or out.
 *
 * `conv2dBackpropFilterSimd` is the weight gradient. It returns undefined where it does not apply (another backend
 * build whose memory we cannot import, or neither channel count a multiple of 4); the caller then
 * takes the XNNPACK path in ./conv2d-backprop.ts.
 */
import { readFileSync } from 'node:fs';
import type * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { conv2dGradInfo, type Conv2DGradParams } from './conv2d-backprop.ts';

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

export const SIMD_KERNELS_WASM = new URL('./assembly/conv2d-grad.wasm', import.meta.url);

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
}

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
  filterShape: [number, number, number, number],
  p: Conv2DGradParams,
): tf.TensorInfo | undefined {
  const [, , inChannels, outChannels] = filterShape;
  if (outChannels % 4 !== 0 && inChannels % 4 !== 0) return undefined;
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') return undefined;
  const kernels = simdKernels(backend);
  if (kernels === undefined) return undefined;
  const info = conv2dGradInfo(x.shape as [number, number, number, number], filterShape, p);
  const expected = [info.batchSize, info.outHeight, info.outWidth, info.outChannels];
  if (dy.shape.some((d, i) => d !== expected[i])) {
    throw new Error(
      `Conv2DBackpropFilter: dy has shape [${dy.shape.join(', ')}], expected [${expected.join(', ')}]`,
    );
  }
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
