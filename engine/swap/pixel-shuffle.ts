/**
 * PixelShuffle ×2 (sub-pixel convolution, Shi et al. 2016): turns H×W×4C into 2H×2W×C by moving each group of
 * four channels into a 2×2 block. faceswap's "Up" block is a 3×3 conv to 4·f channels followed by this.
 *
 * tfjs has `tf.depthToSpace`, but no gradient for it, so the layer is written as reshape → transpose → reshape,
 * which differentiates on every backend. Channel order matches depthToSpace (DCR): a test checks they agree.
 */
import { tf } from '../runtime/tensorflow.ts';

export function pixelShuffle(x: tf.Tensor4D): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  if (c % 4 !== 0) throw new Error(`pixelShuffle needs a channel count divisible by 4, got ${c}`);
  return tf.tidy(() =>
    x
      .reshape([n, h, w, 2, 2, c / 4])
      .transpose([0, 1, 3, 2, 4, 5])
      .reshape([n, h * 2, w * 2, c / 4]),
  );
}

export class PixelShuffle extends tf.layers.Layer {
  static readonly className = 'UnmaskPixelShuffle';

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [n, h, w, c] = inputShape as (number | null)[];
    const times = (v: number | null | undefined, k: number) => (v == null ? null : v * k);
    return [n ?? null, times(h, 2), times(w, 2), times(c, 1 / 4)];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return pixelShuffle((Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor4D);
  }

  override getClassName(): string {
    return PixelShuffle.className;
  }
}
tf.serialization.registerClass(PixelShuffle);
