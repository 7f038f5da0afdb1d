/**
 * SSIM on plain float images, as scikit-image's `structural_similarity` computes it (7×7 uniform window, sample
 * covariance, data range 1, mean over the valid window positions and the channels). Used by evaluation; the
 * training loss (swap-loss.ts) computes the same quantity with tensors, and a test keeps them equal.
 */
import type { FloatImage } from '../imaging/float-image.ts';

const WINDOW = 7;
const C1 = 0.01 ** 2;
const C2 = 0.03 ** 2;

/** With `mask` (S×S×1), only windows whose centre pixel lies in the mask (≥ 0.5) are averaged. */
export function ssim(x: FloatImage, y: FloatImage, mask?: FloatImage): number {
  const { width, height, channels } = x;
  if (y.width !== width || y.height !== height || y.channels !== channels)
    throw new RangeError('ssim needs two images of the same shape');
  if (width < WINDOW || height < WINDOW)
    throw new RangeError(`ssim needs images of at least ${WINDOW}×${WINDOW}`);
  const n = WINDOW * WINDOW;
  const cov = n / (n - 1);
  let total = 0;
  let count = 0;
  for (let c = 0; c < channels; c++) {
    for (let top = 0; top + WINDOW <= height; top++) {
      for (let left = 0; left + WINDOW <= width; left++) {
        const centre = (top + (WINDOW >> 1)) * width + left + (WINDOW >> 1);
        if (mask && mask.data[centre]! < 0.5) continue;
        let sx = 0;
        let sy = 0;
        let sxx = 0;
        let syy = 0;
        let sxy = 0;
        for (let v = top; v < top + WINDOW; v++) {
          for (let u = left; u < left + WINDOW; u++) {
            const i = (v * width + u) * channels + c;
            const a = x.data[i]!;
            const b = y.data[i]!;
            sx += a;
            sy += b;
            sxx += a * a;
            syy += b * b;
            sxy += a * b;
          }
        }
        const mx = sx / n;
        const my = sy / n;
        const vx = (sxx / n - mx * mx) * cov;
        const vy = (syy / n - my * my) * cov;
        const vxy = (sxy / n - mx * my) * cov;
        total += ((2 * mx * my + C1) * (2 * vxy + C2)) / ((mx * mx + my * my + C1) * (vx + vy + C2));
        count++;
      }
    }
  }
  return count ? total / count : Number.NaN;
}
