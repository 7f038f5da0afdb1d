/**
 * Drop-in gradients for Sum and Mean. tfjs-core's are `dy · ones(x.shape)` (divided by the count for Mean), the
 * ones filled element by element in JavaScript and copied into the backend, for every reduction of every step:
 * batch norm's two moments and global average pooling reduce whole activations. Where the backend has the kernel
 * `UnmaskExpandReduced` (the wasm backend, ../wasm-kernels/register.ts) and the reduced axes are one contiguous
 * run, the gradient is that kernel's copy of dy (divided first, on the small tensor, for Mean: the same float32
 * quotient per element); elsewhere it is tfjs-core's formula. Both give the same bits.
 */
import * as tf from '@tensorflow/tfjs';

export const EXPAND_REDUCED = 'UnmaskExpandReduced';

/** Attributes of `UnmaskExpandReduced`: the reduction's input shape and its (non-negative) reduced axes. */
export interface ExpandReducedAttrs {
  shape: number[];
  axes: number[];
}

/**
 * A reduction's input seen as [outer, rows, cols]: rows are the reduced axes, which must be one contiguous run
 * (cols = 1 where it includes the last axis); undefined for any other set of axes.
 */
export function expandedRun(
  shape: readonly number[],
  axes: readonly number[],
): { outer: number; rows: number; cols: number } | undefined {
  const sorted = [...axes].sort((a, b) => a - b);
  const first = sorted[0];
  const last = sorted.at(-1);
  if (first === undefined || last === undefined || first < 0 || last >= shape.length) return undefined;
  if (!sorted.every((a, i) => a === first + i)) return undefined;
  const size = (dims: readonly number[]) => tf.util.sizeFromShape([...dims]);
  return {
    outer: size(shape.slice(0, first)),
    rows: size(shape.slice(first, last + 1)),
    cols: size(shape.slice(last + 1)),
  };
}

export type ReduceKernel = typeof tf.Sum | typeof tf.Mean;

function reduceGradConfig(kernelName: ReduceKernel, useKernel: boolean): tf.GradConfig {
  const mean = kernelName === tf.Mean;
  return {
    kernelName,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved as [tf.Tensor];
      const gradient = dy as tf.Tensor;
      const { axis } = attrs as unknown as { axis: number | number[] };
      const axes = tf.util.parseAxisParam(axis, x.shape);
      const expandedShape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
      const count = tf.util.sizeFromShape(axes.map((a) => x.shape[a]!));
      const fast =
        useKernel &&
        x.dtype === 'float32' &&
        gradient.dtype === 'float32' &&
        expandedRun(x.shape, axes) !== undefined &&
        tf.getKernel(EXPAND_REDUCED, tf.getBackend()) !== undefined;
      return {
        x: () => {
          const expandedDy = tf.reshape(gradient, expandedShape);
          if (!fast) {
            const spread = tf.mul(expandedDy, tf.ones(x.shape, 'float32'));
            return mean ? tf.div(spread, count) : spread;
          }
          const attributes: ExpandReducedAttrs = { shape: x.shape, axes };
          return tf
            .engine()
            .runKernel(
              EXPAND_REDUCED,
              { dy: mean ? tf.div(expandedDy, count) : expandedDy },
              attributes as unknown as tf.NamedAttrMap,
            ) as tf.Tensor;
        },
      };
    },
  };
}

export const sumGradConfig = reduceGradConfig(tf.Sum, true);
export const meanGradConfig = reduceGradConfig(tf.Mean, true);
/** tfjs-core's own gradient of Sum or Mean, to compare against (bench/wasm-kernels.bench.ts). */
export const tfjsCoreReduceGradConfig = (kernelName: ReduceKernel) => reduceGradConfig(kernelName, false);
