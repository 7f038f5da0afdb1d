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
  const spatial = new Float32Array((2 * radius + 1) ** 2);
  for (let dy = -radius; dy <= radius; dy++)
    for (let dx = -radius; dx <= radius; dx++)
      spatial[(dy + radius) * (2 * radius + 1) + dx + radius] = Math.exp(
        -(dx * dx + dy * dy) / (2 * sigmaSpace * sigmaSpace),
      );
  const rangeScale = -1 / (2 * sigmaRange * sigmaRange);
  const out = createFloatImage(width, height, channels);
  const acc = new Float64Array(channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const centre = (y * width + x) * channels;
      acc.fill(0);
      let total = 0;
      for (let dy = -radius; dy <= radius; dy++) {
        const yy = Math.min(height - 1, Math.max(0, y + dy));
        for (let dx = -radius; dx <= radius; dx++) {
          const xx = Math.min(width - 1, Math.max(0, x + dx));
          const o = (yy * width + xx) * channels;
          let distance = 0;
          for (let ch = 0; ch < channels; ch++) distance += (data[o + ch]! - data[centre + ch]!) ** 2;
          const w =
            spatial[(dy + radius) * (2 * radius + 1) + dx + radius]! * Math.exp(distance * rangeScale);
          total += w;
          for (let ch = 0; ch < channels; ch++) acc[ch]! += w * data[o + ch]!;
        }
      }
      for (let ch = 0; ch < channels; ch++) out.data[centre + ch] = acc[ch]! / total;
    }
  }
  return out;
}
