import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createFloatImage, type FloatImage } from './float-image.ts';
import { jpegRoundTrip, simulateJpeg } from './jpeg.ts';

function texture(size: number): FloatImage {
  const image = createFloatImage(size, size, 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 3;
      image.data[i] = 0.5 + 0.4 * Math.sin(x / 4) * Math.cos(y / 7);
      image.data[i + 1] = 0.4 + 0.3 * Math.sin((x + y) / 9);
      image.data[i + 2] = x > size / 2 ? 0.8 : 0.2;
    }
  }
  return image;
}

const meanAbs = (a: FloatImage, b: FloatImage) =>
  a.data.reduce((s, v, i) => s + Math.abs(v - b.data[i]!), 0) / a.data.length;

test('simulated JPEG matches the real codec closely at several qualities', () => {
  const image = texture(64);
  for (const quality of [30, 60, 90]) {
    const real = jpegRoundTrip(image, quality);
    const simulated = simulateJpeg(image, quality, false);
    const codecError = meanAbs(real, image);
    const gap = meanAbs(real, simulated);
    assert.ok(codecError > 0.001, `q${quality}: the codec changes pixels`);
    assert.ok(
      gap < codecError * 0.6 + 0.002,
      `q${quality}: simulation gap ${gap} vs codec error ${codecError}`,
    );
  }
});

test('lower quality loses more', () => {
  const image = texture(48);
  assert.ok(meanAbs(simulateJpeg(image, 20), image) > meanAbs(simulateJpeg(image, 95), image));
});
