/**
 * Slice, Unpack, SplitV and Concat for the wasm backend, written as plain copies between views of the wasm heap,
 * and Identity without a copy.
 *
 * tfjs-backend-wasm 4.22 implements these in JavaScript, and its Slice starts with `backend.readSync(x)`, which
 * copies the *whole* input out of the heap before copying the slice: unstacking a 9-row filter copied it 9 times,
 * and a training step of the swap model spent a sixth of its time there. Its Concat and channel slices also call
 * `TypedArray.set` once per innermost run, which costs more than the copy when a run is 1–4 floats (RGB + mask).
 * Here the input is read through a view (no copy) and short runs are copied by a plain loop. Strings are left to
 * the stock kernels.
 *
 * Identity: tfjs-core clones every tensor that a gradient will need (inputs and outputs saved for the backward
 * pass) through the Identity kernel, and the stock wasm one copies the data: 322 copies of activations per swap
 * training step. Tensors are immutable, so the clone shares the buffer and counts a reference, as the cpu
 * backend and wasm's own Reshape do.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

type HeapArray = Float32Array | Int32Array | Uint8Array;

/** Below this many elements a loop beats `TypedArray.set` (which has a fixed cost per call). */
const SHORT_RUN = 64;

function copyRun(from: HeapArray, fromOffset: number, to: HeapArray, toOffset: number, length: number): void {
  if (length >= SHORT_RUN) {
    to.set(from.subarray(fromOffset, fromOffset + length), toOffset);
    return;
  }
  for (let i = 0; i < length; i++) to[toOffset + i] = from[fromOffset + i]!;
}

/**
 * Copies x[begin : begin + size] into `out` (already allocated, same dtype, size elements), row-major. Trailing
 * axes taken whole merge into one contiguous run, so the loop runs over the leading axes only.
 */
function copySlice(
  backend: BackendWasm,
  x: tf.TensorInfo,
  begin: readonly number[],
  size: readonly number[],
  out: tf.TensorInfo,
): void {
  // Views are taken after every allocation: growing the heap detaches older views.
  const from = backend.typedArrayFromHeap(x) as HeapArray;
  const to = backend.typedArrayFromHeap(out) as HeapArray;
  const shape = x.shape;
  const rank = shape.length;
  const strides = tf.util.computeStrides(shape);
  const stride = (axis: number) => (axis === rank - 1 ? 1 : strides[axis]!);
  // The run: the last axis that is not taken whole, and everything after it.
  let inner = rank - 1;
  while (inner > 0 && size[inner] === shape[inner]) inner--;
  const run = inner < 0 ? 1 : size[inner]! * (inner === rank - 1 ? 1 : strides[inner]!);
  const outer = size.slice(0, inner);
  const count = outer.reduce((a, b) => a * b, 1);
  let base = 0;
  for (let axis = 0; axis <= inner; axis++) base += begin[axis]! * stride(axis);
  const index = new Array<number>(outer.length).fill(0);
  let offset = base;
  let written = 0;
  for (let k = 0; k < count; k++) {
    copyRun(from, offset, to, written, run);
    written += run;
    // Odometer over the outer axes, moving the source offset with it.
    for (let axis = outer.length - 1; axis >= 0; axis--) {
      index[axis]!++;
      offset += stride(axis);
      if (index[axis]! < outer[axis]!) break;
      offset -= index[axis]! * stride(axis);
      index[axis] = 0;
    }
  }
}

function sliceOutput(
  backend: BackendWasm,
  x: tf.TensorInfo,
  begin: readonly number[],
  size: number[],
): tf.TensorInfo {
  const out = backend.makeOutput(size, x.dtype);
  if (tf.util.sizeFromShape(size) > 0) copySlice(backend, x, begin, size, out);
  return out;
}

type Fallback = (name: string) => tf.KernelFunc;

export function sliceKernel(fallback: Fallback): tf.KernelFunc {
  return (args) => {
    const x = args.inputs['x']!;
    if (x.dtype === 'string') return fallback(tf.Slice)(args);
    const { begin, size } = args.attrs as unknown as tf.SliceAttrs;
    const [start, extent] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
    return sliceOutput(args.backend as BackendWasm, x, start!, extent!);
  };
}

export function unpackKernel(fallback: Fallback): tf.KernelFunc {
  return (args) => {
    const value = args.inputs['value']!;
    if (value.dtype === 'string') return fallback(tf.Unpack)(args);
    const rank = value.shape.length;
    let { axis } = args.attrs as unknown as tf.UnpackAttrs;
    if (axis < 0) axis += rank;
    const outShape = value.shape.filter((_, i) => i !== axis);
    const begin = new Array<number>(rank).fill(0);
    const size = value.shape.slice();
    size[axis] = 1;
    return Array.from({ length: value.shape[axis]! }, (_, i) => {
      begin[axis] = i;
      const out = sliceOutput(args.backend as BackendWasm, value, begin, size);
      return { ...out, shape: outShape };
    });
  };
}

export function splitVKernel(fallback: Fallback): tf.KernelFunc {
  return (args) => {
    const x = args.inputs['x']!;
    if (x.dtype === 'string') return fallback(tf.SplitV)(args);
    const { numOrSizeSplits, axis } = args.attrs as unknown as tf.SplitVAttrs;
    const a = tf.util.parseAxisParam(axis, x.shape)[0]!;
    const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, a);
    const begin = new Array<number>(x.shape.length).fill(0);
    return sizes.map((s) => {
      const size = x.shape.slice();
      size[a] = s;
      const out = sliceOutput(args.backend as BackendWasm, x, begin, size);
      begin[a]! += s;
      return out;
    });
  };
}

export function concatKernel(fallback: Fallback): tf.KernelFunc {
  return (args) => {
    const inputs = Object.values(args.inputs) as tf.TensorInfo[];
    if (inputs.some((t) => t.dtype === 'string')) return fallback(tf.Concat)(args);
    const backend = args.backend as BackendWasm;
    const { axis } = args.attrs as unknown as tf.ConcatAttrs;
    const a = tf.util.parseAxisParam(axis, inputs[0]!.shape)[0]!;
    tf.backend_util.assertParamsConsistent(
      inputs.map((t) => t.shape),
      a,
    );
    const outShape = tf.backend_util.computeOutShape(
      inputs.map((t) => t.shape),
      a,
    );
    const out = backend.makeOutput(outShape, inputs[0]!.dtype);
    const parts = inputs.filter((t) => tf.util.sizeFromShape(t.shape) > 0);
    if (parts.length === 0) return out;
    // Every input is [rows, inner_k]; each output row is the inputs' rows side by side.
    const rows = tf.util.sizeFromShape(outShape.slice(0, a));
    const inners = parts.map((t) => tf.util.sizeFromShape(t.shape.slice(a)));
    const width = inners.reduce((p, q) => p + q, 0);
    const to = backend.typedArrayFromHeap(out) as HeapArray;
    let column = 0;
    parts.forEach((t, k) => {
      const from = backend.typedArrayFromHeap(t) as HeapArray;
      const inner = inners[k]!;
      for (let r = 0; r < rows; r++) copyRun(from, r * inner, to, r * width + column, inner);
      column += inner;
    });
    return out;
  };
}

export function identityKernel(fallback: Fallback): tf.KernelFunc {
  return (args) => {
    const x = args.inputs['x']!;
    if (x.dtype === 'string') return fallback(tf.Identity)(args);
    (args.backend as BackendWasm).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
}
