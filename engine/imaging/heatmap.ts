/** Heatmap pictures: a low-resolution map (0..1) upsampled onto a face crop with a perceptual colour ramp. Pure. */
import { createFloatImage, resizeImage, rgbFromFloat, type FloatImage } from './float-image.ts';
import type { RgbFrame } from '../video/frame.ts';

// A short "inferno"-like ramp: black → purple → red → orange → yellow.
const RAMP: ReadonlyArray<readonly [number, number, number]> = [
  [0, 0, 4],
  [87, 16, 110],
  [188, 55, 84],
  [249, 142, 9],
  [252, 255, 164],
];

export function rampColour(value: number): [number, number, number] {
  const v = Math.min(1, Math.max(0, value)) * (RAMP.length - 1);
  const i = Math.min(RAMP.length - 2, Math.floor(v));
  const t = v - i;
  const a = RAMP[i]!;
  const b = RAMP[i + 1]!;
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

/** The face crop beside the same crop with the map blended over it (alpha grows with the map value). */
export function heatmapOverlay(
  face: FloatImage,
  map: Float32Array,
  mapSize: number,
  displaySize = 256,
): RgbFrame {
  const crop = face.width === displaySize ? face : resizeImage(face, displaySize, displaySize);
  const size = crop.width;
  const small: FloatImage = { width: mapSize, height: mapSize, channels: 1, data: map };
  const upsampled = resizeImage(small, size, crop.height);
  const pair = createFloatImage(size * 2 + 4, crop.height, 3, 1);
  for (let y = 0; y < crop.height; y++) {
    for (let x = 0; x < size; x++) {
      const src = (y * size + x) * 3;
      const v = upsampled.data[y * size + x]!;
      const [r, g, b] = rampColour(v);
      const alpha = Math.min(0.75, v * 1.2);
      const left = (y * pair.width + x) * 3;
      const right = (y * pair.width + size + 4 + x) * 3;
      for (let c = 0; c < 3; c++) {
        pair.data[left + c] = crop.data[src + c]!;
        pair.data[right + c] = crop.data[src + c]! * (1 - alpha) + ([r, g, b][c]! / 255) * alpha;
      }
    }
  }
  return rgbFromFloat(pair);
}
