import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createFloatImage, resizeImage, type FloatImage } from './float-image.ts';
import { bilateralFilter, gaussianBlur } from './filters.ts';
import { createRandom } from '../util/random.ts';

/** Left half dark, right half bright, both with small noise: a step edge between two "skin" regions. */
function noisyStep(size: number) {
  const image = createFloatImage(size, size, 3);
  const random = createRandom(3);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++)
      for (let ch = 0; ch < 3; ch++)
        image.data[(y * size + x) * 3 + ch] = (x < size / 2 ? 0.2 : 0.8) + random.normal() * 0.02;
  return image;
}

function spread(values: number[]): number {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
}

test('bilateral filter smooths flat regions but keeps a step edge, unlike a Gaussian blur', () => {
  const size = 24;
  const image = noisyStep(size);
  const smoothed = bilateralFilter(image, 2, 0.1);
  const blurred = gaussianBlur(image, 2);
  const at = (img: typeof image, x: number, y: number) => img.data[(y * size + x) * 3]!;
  const flat = (img: typeof image) => Array.from({ length: size }, (_, y) => at(img, 4, y));
  assert.ok(spread(flat(smoothed)) < spread(flat(image)) / 2, 'noise in the flat region is at least halved');
  const edgeContrast = (img: typeof image) => at(img, size / 2, 12) - at(img, size / 2 - 1, 12);
  assert.ok(edgeContrast(smoothed) > 0.5, `edge kept: ${edgeContrast(smoothed)}`);
  assert.ok(
    edgeContrast(blurred) < 0.3,
    `a Gaussian blur of the same size softens it: ${edgeContrast(blurred)}`,
  );
});

test('bilateral filter matches the straightforward one (exp per tap) within 1e-5, borders included', () => {
  const random = createRandom(11);
  const image = createFloatImage(37, 29, 3);
  for (let i = 0; i < image.data.length; i++) image.data[i] = 0.5 + random.normal() * 0.15;
  for (const [space, range] of [
    [1.5, 0.03],
    [1.5, 0.12],
    [2.4, 0.3],
  ] as const) {
    const fast = bilateralFilter(image, space, range);
    const slow = referenceBilateral(image, space, range);
    let worst = 0;
    for (let i = 0; i < fast.data.length; i++)
      worst = Math.max(worst, Math.abs(fast.data[i]! - slow.data[i]!));
    assert.ok(worst < 1e-5, `σ ${space}/${range}: largest difference ${worst}`);
  }
});

test('bilateral filter with zero sigma returns the image unchanged', () => {
  const image = noisyStep(8);
  assert.equal(bilateralFilter(image, 0, 0.1), image);
});

test('resizeImage with area resampling turns 1-pixel checks into flat grey; bilinear keeps aliased stripes', () => {
  const checks = createFloatImage(160, 160, 1);
  for (let y = 0; y < 160; y++) for (let x = 0; x < 160; x++) checks.data[y * 160 + x] = (x + y) % 2;
  const spread = (values: Float32Array) => Math.max(...values) - Math.min(...values);
  const area = resizeImage(checks, 64, 64, 'area');
  const bilinear = resizeImage(checks, 64, 64, 'bilinear');
  assert.ok(spread(area.data) < 0.1, `area spread ${spread(area.data)}`);
  assert.ok(Math.abs(area.data.reduce((s, v) => s + v, 0) / area.data.length - 0.5) < 0.02);
  assert.ok(spread(bilinear.data) > 3 * spread(area.data), `bilinear spread ${spread(bilinear.data)}`);
  // Enlarging is the same either way.
  assert.deepEqual(resizeImage(checks, 200, 200, 'area'), resizeImage(checks, 200, 200, 'bilinear'));
});

/** The straightforward bilateral filter (exp per tap), as the optimised one must reproduce. */
function referenceBilateral(image: FloatImage, sigmaSpace: number, sigmaRange: number): FloatImage {
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
