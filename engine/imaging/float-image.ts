/**
 * Float images for pixel maths: HxWxC, row-major, values in 0..1. Conversions to and from the uint8 RGB
 * stage contract live here so the rest of imaging never deals with bytes.
 */
import type { RgbFrame } from '../video/frame.ts';

export interface FloatImage {
  width: number;
  height: number;
  channels: number;
  data: Float32Array;
}

export function createFloatImage(width: number, height: number, channels = 3, fill = 0): FloatImage {
  return { width, height, channels, data: new Float32Array(width * height * channels).fill(fill) };
}

export function floatFromRgb(frame: RgbFrame): FloatImage {
  const data = new Float32Array(frame.data.length);
  for (let i = 0; i < data.length; i++) data[i] = frame.data[i]! / 255;
  return { width: frame.width, height: frame.height, channels: 3, data };
}

export function rgbFromFloat(image: FloatImage): RgbFrame {
  if (image.channels !== 3) throw new Error(`rgbFromFloat needs 3 channels, got ${image.channels}`);
  const data = new Uint8Array(image.data.length);
  for (let i = 0; i < data.length; i++) data[i] = Math.round(Math.min(1, Math.max(0, image.data[i]!)) * 255);
  return { width: image.width, height: image.height, data };
}

export function cloneImage(image: FloatImage): FloatImage {
  return { ...image, data: image.data.slice() };
}

/** Row-major 2x3 affine matrix [a, b, tx, c, d, ty]: x' = a x + b y + tx, y' = c x + d y + ty. */
export type Affine = readonly [number, number, number, number, number, number];

/** Inverse of an invertible 2×3 affine matrix; RangeError when it is singular. */
export function invertAffine(m: Affine): Affine {
  const [a, b, tx, c, d, ty] = m;
  const det = a * d - b * c;
  if (!Number.isFinite(det) || Math.abs(det) < 1e-12) throw new RangeError('affine matrix is not invertible');
  const ia = d / det;
  const ib = -b / det;
  const ic = -c / det;
  const id = a / det;
  return [ia, ib, -(ia * tx + ib * ty), ic, id, -(ic * tx + id * ty)];
}

/**
 * How a warp reads its source. `bilinear` takes one bilinear sample per output pixel, which aliases where the
 * warp shrinks the image: skin texture and codec noise fold into false detail, the more the larger the source
 * face. `area` averages an n×n grid of bilinear samples spread over each output pixel's footprint (n ≈ the
 * shrink factor along that axis), like OpenCV's INTER_AREA for downscaling; below 1.5× shrink both are the same.
 */
export type Resampling = 'bilinear' | 'area';

/** Samples along one output axis that `resampling` averages, for a source step of (dx, dy) per output pixel. */
export function samplesPerAxis(resampling: Resampling, dx: number, dy: number): number {
  return resampling === 'area' ? Math.max(1, Math.round(Math.hypot(dx, dy))) : 1;
}

/**
 * Where the k-th of n samples along an output axis sits, in output pixels from the pixel's centre: the n
 * samples split the pixel into n equal cells and take their centres (0 when n is 1).
 */
export function subSampleOffset(k: number, n: number): number {
  return (k + 0.5) / n - 0.5;
}

/**
 * Resamples `source` into a `width` x `height` image where output pixel p takes source(inverse(p)).
 * `forward` maps source coordinates to output coordinates. Bilinear (or area-averaged where the warp shrinks,
 * see `Resampling`); outside pixels use edge replication.
 */
export function warpAffine(
  source: FloatImage,
  forward: Affine,
  width: number,
  height: number,
  resampling: Resampling = 'bilinear',
): FloatImage {
  const [a, b, tx, c, d, ty] = invertAffine(forward);
  const { channels } = source;
  const out = createFloatImage(width, height, channels);
  const nx = samplesPerAxis(resampling, a, c);
  const ny = samplesPerAxis(resampling, b, d);
  if (nx === 1 && ny === 1) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        sampleBilinear(source, a * x + b * y + tx, c * x + d * y + ty, out.data, (y * width + x) * channels);
      }
    }
    return out;
  }
  const sample = new Float32Array(channels);
  const weight = 1 / (nx * ny);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const offset = (y * width + x) * channels;
      for (let j = 0; j < ny; j++) {
        const v = y + subSampleOffset(j, ny);
        for (let i = 0; i < nx; i++) {
          const u = x + subSampleOffset(i, nx);
          sampleBilinear(source, a * u + b * v + tx, c * u + d * v + ty, sample, 0);
          for (let ch = 0; ch < channels; ch++) out.data[offset + ch]! += sample[ch]! * weight;
        }
      }
    }
  }
  return out;
}

/**
 * Bilinear sample of `source` at (sx, sy), clamped to the image (edge replication): writes its channels into
 * `out` from `offset`. The one sampler behind warpAffine, resizeImage and the swap engine's remap and paste.
 */
export function sampleBilinear(
  source: FloatImage,
  sx: number,
  sy: number,
  out: Float32Array,
  offset: number,
): void {
  const { width, height, channels, data } = source;
  const x = Math.min(width - 1, Math.max(0, sx));
  const y = Math.min(height - 1, Math.max(0, sy));
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const x1 = Math.min(width - 1, x0 + 1);
  const y1 = Math.min(height - 1, y0 + 1);
  const fx = x - x0;
  const fy = y - y0;
  const i00 = (y0 * width + x0) * channels;
  const i01 = (y0 * width + x1) * channels;
  const i10 = (y1 * width + x0) * channels;
  const i11 = (y1 * width + x1) * channels;
  for (let ch = 0; ch < channels; ch++) {
    const top = data[i00 + ch]! * (1 - fx) + data[i01 + ch]! * fx;
    const bottom = data[i10 + ch]! * (1 - fx) + data[i11 + ch]! * fx;
    out[offset + ch] = top * (1 - fy) + bottom * fy;
  }
}

/**
 * Resize with pixel centres aligned (align-corners=false, like tf.image.resizeBilinear with halfPixelCenters);
 * bilinear, or area-averaged when shrinking with `resampling` = 'area'.
 */
export function resizeImage(
  source: FloatImage,
  width: number,
  height: number,
  resampling: Resampling = 'bilinear',
): FloatImage {
  const sx = source.width / width;
  const sy = source.height / height;
  return warpAffine(
    source,
    [1 / sx, 0, 0.5 / sx - 0.5, 0, 1 / sy, 0.5 / sy - 0.5],
    width,
    height,
    resampling,
  );
}
