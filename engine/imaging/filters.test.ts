import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createFloatImage, resizeImage } from './float-image.ts';
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
