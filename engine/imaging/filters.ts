/** Separable filters on FloatImage (any channel count). Edges replicate the border pixel. */
import { createFloatImage, type FloatImage } from './float-image.ts';

export function gaussianKernel(sigma: number): Float32Array {
  const radius = Math.max(1, Math.ceil(sigma * 3));
  const kernel = new Float32Array(radius * 2 + 1);
  let sum = 0;
  for (let i = -radius; i <= radius; i++) {
    const v = Math.exp(-(i * i) / (2 * sigma * sigma));
    kernel[i + radius] = v;
    sum += v;
  }
  for (let i = 0; i < kernel.length; i++) kernel[i]! /= sum;
  return kernel;
}

function convolveAxis(image: FloatImage, kernel: Float32Array, horizontal: boolean): FloatImage {
  const { width, height, channels } = image;
  const out = createFloatImage(width, height, channels);
  const radius = (kernel.length - 1) / 2;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let ch = 0; ch < channels; ch++) {
        let acc = 0;
        for (let k = -radius; k <= radius; k++) {
          const xx = horizontal ? Math.min(width - 1, Math.max(0, x + k)) : x;
          const yy = horizontal ? y : Math.min(height - 1, Math.max(0, y + k));
          acc += image.data[(yy * width + xx) * channels + ch]! * kernel[k + radius]!;
        }
        out.data[(y * width + x) * channels + ch] = acc;
      }
    }
  }
  return out;
}

export function gaussianBlur(image: FloatImage, sigma: number): FloatImage {
  if (sigma <= 0) return image;
  const kernel = gaussianKernel(sigma);
  return convolveAxis(convolveAxis(image, kernel, true), kernel, false);
}

/** Unsharp mask: image + amount * (image - blur(image)). Negative amounts soften. */
export function sharpen(image: FloatImage, amount: number, sigma = 1): FloatImage {
  const blurred = gaussianBlur(image, sigma);
  const out = createFloatImage(image.width, image.height, image.channels);
  for (let i = 0; i < out.data.length; i++) {
    out.data[i] = image.data[i]! + amount * (image.data[i]! - blurred.data[i]!);
  }
  return out;
}

/** Grey-level erosion (radius > 0 shrinks bright regions) or dilation (radius < 0 grows them), square window. */
export function morphology(image: FloatImage, radius: number): FloatImage {
  if (radius === 0) return image;
  const r = Math.abs(Math.round(radius));
  const pick = radius > 0 ? Math.min : Math.max;
  const pass = (source: FloatImage, horizontal: boolean): FloatImage => {
    const { width, height, channels } = source;
    const out = createFloatImage(width, height, channels);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        for (let ch = 0; ch < channels; ch++) {
          let v = source.data[(y * width + x) * channels + ch]!;
          for (let k = -r; k <= r; k++) {
            const xx = horizontal ? Math.min(width - 1, Math.max(0, x + k)) : x;
            const yy = horizontal ? y : Math.min(height - 1, Math.max(0, y + k));
            v = pick(v, source.data[(yy * width + xx) * channels + ch]!);
          }
          out.data[(y * width + x) * channels + ch] = v;
        }
      }
    }
    return out;
  };
  return pass(pass(image, true), false);
}

/**
 * Bilateral filter: each pixel becomes a mean of its neighbours weighted by distance (σ_space, pixels) and by
 * colour difference (σ_range, in 0..1 units), so flat regions such as skin are smoothed while edges stay sharp —
 * the look of phone "beauty" processing and of low-bitrate video, where the codec spends its bits on edges.
 */
export function bilateralFilter(image: FloatImage, sigmaSpace: number, sigmaRange: number): FloatImage {
  if (sigmaSpace <= 0 || sigmaRange <= 0) return image;
  const { width, height, channels, data } = image;
  const radius = Math.max(1, Math.ceil(sigmaSpace * 2));
  const taps: Array<{ dx: number; dy: number; w: number }> = [];
  for (let dy = -radius; dy <= radius; dy++)
    for (let dx = -radius; dx <= radius; dx++)
      taps.push({ dx, dy, w: Math.exp(-(dx * dx + dy * dy) / (2 * sigmaSpace * sigmaSpace)) });
  const spatial = Float64Array.from(taps, (t) => t.w);
  const interiorOffset = Int32Array.from(taps, (t) => (t.dy * width + t.dx) * channels);
  // The range weight exp(−d / 2σ²) of a squared colour distance d, from a table with linear interpolation
  // (relative error below 1e-6); distances past exp(−16) weigh nothing.
  const rangeScale = 1 / (2 * sigmaRange * sigmaRange);
  const cutoff = 16 / rangeScale;
  const bins = 4096;
  const step = cutoff / bins;
  const table = new Float64Array(bins + 2);
  for (let i = 0; i < table.length; i++) table[i] = Math.exp(-i * step * rangeScale);
  const invStep = 1 / step;
  const out = createFloatImage(width, height, channels);
  const acc = new Float64Array(channels);
  const centreColour = new Float64Array(channels);
  for (let y = 0; y < height; y++) {
    const interiorRow = y >= radius && y < height - radius;
    for (let x = 0; x < width; x++) {
      const centre = (y * width + x) * channels;
      const interior = interiorRow && x >= radius && x < width - radius;
      for (let ch = 0; ch < channels; ch++) centreColour[ch] = data[centre + ch]!;
      acc.fill(0);
      let total = 0;
      for (let k = 0; k < taps.length; k++) {
        let o: number;
        if (interior) o = centre + interiorOffset[k]!;
        else {
          const yy = Math.min(height - 1, Math.max(0, y + taps[k]!.dy));
          const xx = Math.min(width - 1, Math.max(0, x + taps[k]!.dx));
          o = (yy * width + xx) * channels;
        }
        let distance = 0;
        for (let ch = 0; ch < channels; ch++) {
          const d = data[o + ch]! - centreColour[ch]!;
          distance += d * d;
        }
        if (distance >= cutoff) continue;
        const f = distance * invStep;
        const i = f | 0;
        const w = spatial[k]! * (table[i]! + (table[i + 1]! - table[i]!) * (f - i));
        total += w;
        for (let ch = 0; ch < channels; ch++) acc[ch]! += w * data[o + ch]!;
      }
      // The centre tap always weighs spatial(0)·1 > 0, so total is never 0.
      for (let ch = 0; ch < channels; ch++) out.data[centre + ch] = acc[ch]! / total;
    }
  }
  return out;
}
