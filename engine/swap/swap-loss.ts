/**
 * Losses of the swap models (tensors; differentiable on every backend, wasm included):
 *
 * - SSIM (Wang et al. 2004) with a 7×7 uniform window and sample covariance, as scikit-image computes it, per
 *   channel, on the masked face (prediction and target both multiplied by the face mask, as faceswap does);
 * - L1 weighted per pixel by the face mask, with eyes ×3 and mouth ×2;
 * - the mask head's squared error against the landmark-hull mask;
 * - UNIT: KL of the Gaussian latent (½·mean μ²) and, optionally, the cycle reconstruction's L1.
 */
import { tf } from '../runtime/tensorflow.ts';

export const SSIM_WINDOW = 7;
const C1 = 0.01 ** 2;
const C2 = 0.03 ** 2;

/** Mean SSIM of each image in the batch (N), over channels and valid window positions; inputs 0..1, NHWC. */
export function ssimPerImage(x: tf.Tensor4D, y: tf.Tensor4D): tf.Tensor1D {
  return tf.tidy(() => {
    const pool = (t: tf.Tensor4D) => tf.avgPool(t, SSIM_WINDOW, 1, 'valid');
    const n = SSIM_WINDOW * SSIM_WINDOW;
    const cov = n / (n - 1);
    const mx = pool(x);
    const my = pool(y);
    const vx = pool(x.square()).sub(mx.square()).mul(cov);
    const vy = pool(y.square()).sub(my.square()).mul(cov);
    const vxy = pool(x.mul(y)).sub(mx.mul(my)).mul(cov);
    const numerator = mx.mul(my).mul(2).add(C1).mul(vxy.mul(2).add(C2));
    const denominator = mx.square().add(my.square()).add(C1).mul(vx.add(vy).add(C2));
    return numerator.div(denominator).mean([1, 2, 3]) as tf.Tensor1D;
  });
}

export interface SwapLossWeights {
  ssim: number;
  l1: number;
  mask: number;
  /** UNIT only. */
  kl: number;
  /** UNIT with cycle only. */
  cycle: number;
}

export const DEFAULT_SWAP_LOSS_WEIGHTS: SwapLossWeights = { ssim: 1, l1: 1, mask: 1, kl: 0.001, cycle: 1 };

export interface ReconstructionTerms {
  ssim: tf.Scalar;
  l1: tf.Scalar;
  mask: tf.Scalar;
}

/**
 * Masked reconstruction terms. `output` N×S×S×4 (RGB + mask), `target` N×S×S×3, `mask` and `weight` N×S×S×1.
 * Returns (1 − SSIM), weighted L1 and mask MSE, each a batch mean.
 */
export function reconstructionTerms(
  output: tf.Tensor4D,
  target: tf.Tensor4D,
  mask: tf.Tensor4D,
  weight: tf.Tensor4D,
): ReconstructionTerms {
  return tf.tidy(() => {
    const [n, s] = output.shape;
    const rgb = output.slice([0, 0, 0, 0], [n, s, s, 3]);
    const predictedMask = output.slice([0, 0, 0, 3], [n, s, s, 1]);
    const ssim = tf.scalar(1).sub(ssimPerImage(rgb.mul(mask), target.mul(mask)).mean()) as tf.Scalar;
    const l1 = rgb.sub(target).abs().mul(weight).mean() as tf.Scalar;
    const maskError = predictedMask.sub(mask).square().mean() as tf.Scalar;
    return { ssim, l1, mask: maskError };
  });
}

export function weightedReconstructionLoss(terms: ReconstructionTerms, w: SwapLossWeights): tf.Scalar {
  return tf.tidy(
    () => terms.ssim.mul(w.ssim).add(terms.l1.mul(w.l1)).add(terms.mask.mul(w.mask)) as tf.Scalar,
  );
}

/** KL divergence of N(μ, I) from N(0, I), up to a constant: ½·mean(μ²). */
export function gaussianKl(mean: tf.Tensor): tf.Scalar {
  return tf.tidy(() => mean.square().mean().mul(0.5) as tf.Scalar);
}
