/**
 * A drop-in gradient for FusedBatchNorm. tfjs-core's version tiles 1/√(var+ε) up to the full N×H×W×C shape
 * before multiplying; on the wasm backend that Tile was the single most expensive kernel of a detector training
 * step (over a third of it). Broadcasting gives the same numbers without materialising the tile.
 */
import * as tf from '@tensorflow/tfjs';
import { leakyReluGradConfig, reluGradConfig } from './leaky-relu-grad.ts';
import { meanGradConfig, sumGradConfig } from './reduce-grad.ts';

/** Axes along which `meanShape` was broadcast to `xShape` (right-aligned, like tfjs's getReductionAxes). */
function reductionAxes(meanShape: readonly number[], xShape: readonly number[]): number[] {
  const axes: number[] = [];
  const offset = xShape.length - meanShape.length;
  xShape.forEach((size, axis) => {
    const meanSize = axis < offset ? 1 : meanShape[axis - offset]!;
    if (meanSize === 1 && size > 1) axes.push(axis);
  });
  return axes;
}

export const fusedBatchNormGradConfig: tf.GradConfig = {
  kernelName: tf.FusedBatchNorm,
  inputsToSave: ['x', 'mean', 'variance', 'scale'],
  gradFunc: (dy, saved, attrs) => {
    const { varianceEpsilon } = attrs as unknown as tf.FusedBatchNormAttrs;
    const [x, mean, variance, scale] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor | undefined];
    const gradient = dy as tf.Tensor;
    const axes = reductionAxes(mean.shape, x.shape);
    const scaleValue = scale ?? tf.scalar(1);
    const xMinusMean = tf.sub(x, mean);
    const dyTimesScale = tf.mul(gradient, scaleValue);
    const inverseStd = tf.rsqrt(tf.add(variance, tf.scalar(varianceEpsilon)));
    const minusHalfInverseCube = tf.mul(tf.mul(tf.mul(inverseStd, inverseStd), inverseStd), tf.scalar(-0.5));
    const reduce = (t: tf.Tensor) => tf.reshape(mean.rank === 1 ? tf.sum(t, axes) : t, mean.shape);
    return {
      x: () => tf.reshape(tf.mul(gradient, tf.mul(inverseStd, scaleValue)), x.shape),
      mean: () => reduce(tf.mul(tf.mul(inverseStd, tf.scalar(-1)), dyTimesScale)),
      variance: () => reduce(tf.mul(tf.mul(minusHalfInverseCube, xMinusMean), dyTimesScale)),
      scale: () => reduce(tf.mul(gradient, tf.mul(xMinusMean, inverseStd))),
      offset: () => reduce(gradient),
    };
  },
};

let registered = false;

/** Replaces tfjs-core's FusedBatchNorm, LeakyRelu, Relu, Sum and Mean gradients (for every backend). Idempotent. */
export function registerFastGradients(): void {
  if (registered) return;
  registered = true;
  const warn = console.warn;
  console.warn = () => undefined; // tfjs warns when a gradient is overridden; that is the point here.
  try {
    tf.registerGradient(fusedBatchNormGradConfig);
    tf.registerGradient(leakyReluGradConfig);
    tf.registerGradient(reluGradConfig);
    tf.registerGradient(sumGradConfig);
    tf.registerGradient(meanGradConfig);
  } finally {
    console.warn = warn;
  }
}
