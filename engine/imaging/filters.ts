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
