/**
 * The one renderer of blend-boundary maps, used by the app, reports and `unmask scan --heatmaps`: the aligned
 * face crop beside the same crop with the map painted over it, and a colour bar under the overlay. Pure.
 *
 * The map (a few cells a side, 0..1) is upsampled bilinearly and lightly smoothed, so it reads as a region rather
 * than a grid of blocks. Its colour and opacity run over the map's *own* range, lowest to highest: a map that peaks
 * at 0.1 is as visible as one that peaks at 1, because the map says where a boundary is likeliest, not how likely
 * (the score says that). Every caller shows that range next to the picture (`describeMapRange`), so the stretch is
 * never hidden. A map whose cells are all equal has nothing to locate and is drawn as the bare crop.
 */
import { gaussianBlur } from './filters.ts';
import { createFloatImage, resizeImage, rgbFromFloat, type FloatImage } from './float-image.ts';
import type { RgbFrame } from '../video/frame.ts';

/** Dark purple → magenta → orange → yellow: the hot end is saturated, so it stands out on any skin tone. */
const RAMP: ReadonlyArray<readonly [number, number, number]> = [
  [40, 0, 90],
  [180, 20, 140],
  [250, 120, 20],
  [255, 240, 0],
];

/** Opacity of the hottest part of the map; the coldest is transparent. */
const MAX_ALPHA = 0.9;
/** Gap between crop and overlay, and the colour bar's height under the overlay (pixels). */
const GAP = 4;
const BAR = 10;
/** A map whose highest and lowest cells differ by less than this is flat: it locates nothing. */
const FLAT = 1e-3;
const BACKGROUND = 0.1;

export function rampColour(value: number): [number, number, number] {
  const v = Math.min(1, Math.max(0, value)) * (RAMP.length - 1);
  const i = Math.min(RAMP.length - 2, Math.floor(v));
  const t = v - i;
  const a = RAMP[i]!;
  const b = RAMP[i + 1]!;
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

/** The lowest and highest cell of a map: what the colour bar spans. */
export interface MapRange {
  min: number;
  max: number;
}

export function mapRange(map: ArrayLike<number>): MapRange {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < map.length; i++) {
    min = Math.min(min, map[i]!);
    max = Math.max(max, map[i]!);
  }
  return map.length ? { min, max } : { min: 0, max: 0 };
}

export const isFlat = (range: MapRange) => range.max - range.min < FLAT;

/**
 * The map at `size`² pixels, as drawn: upsampled bilinearly, smoothed with σ of a quarter cell (which softens
 * bilinear's creases), then stretched so its lowest point is 0 and its highest 1. A flat map is all 0.
 */
export function displayMap(map: ArrayLike<number>, mapSize: number, size: number): FloatImage {
  const small: FloatImage = { width: mapSize, height: mapSize, channels: 1, data: Float32Array.from(map) };
  const smooth = gaussianBlur(resizeImage(small, size, size), size / mapSize / 4);
  const range = mapRange(smooth.data);
  const span = range.max - range.min;
  const flat = isFlat(mapRange(map));
  for (let i = 0; i < smooth.data.length; i++)
    smooth.data[i] = flat || span <= 0 ? 0 : (smooth.data[i]! - range.min) / span;
  return smooth;
}

export interface HeatmapPanel {
  /** crop | overlay side by side, the colour bar under the overlay. */
  picture: RgbFrame;
  range: MapRange;
  flat: boolean;
}

/** The face crop (0..1, any size; shown at `displaySize`²) beside the crop with the map over it. */
export function heatmapPanel(
  face: FloatImage,
  map: ArrayLike<number>,
  mapSize: number,
  displaySize = 256,
): HeatmapPanel {
  const crop =
    face.width === displaySize && face.height === displaySize
      ? face
      : resizeImage(face, displaySize, displaySize);
  const size = displaySize;
  const range = mapRange(map);
  const flat = isFlat(range);
  const heat = displayMap(map, mapSize, size);
  const width = size * 2 + GAP;
  const pair = createFloatImage(width, size + GAP + BAR, 3, BACKGROUND);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const src = (y * size + x) * 3;
      const v = heat.data[y * size + x]!;
      const colour = rampColour(v);
      const alpha = MAX_ALPHA * v;
      const left = (y * width + x) * 3;
      const right = (y * width + size + GAP + x) * 3;
      for (let c = 0; c < 3; c++) {
        pair.data[left + c] = crop.data[src + c]!;
        pair.data[right + c] = crop.data[src + c]! * (1 - alpha) + (colour[c]! / 255) * alpha;
      }
    }
  }
  // The colour bar: the ramp from the map's lowest value (left) to its highest (right), at full opacity.
  for (let y = size + GAP; y < size + GAP + BAR; y++) {
    for (let x = 0; x < size; x++) {
      const colour = rampColour(x / (size - 1));
      const at = (y * width + size + GAP + x) * 3;
      for (let c = 0; c < 3; c++) pair.data[at + c] = colour[c]! / 255;
    }
  }
  return { picture: rgbFromFloat(pair), range, flat };
}

/** The range as people read it beside the picture: "boundary map 0.02–0.11 (of 0–1), stretched to the colour bar". */
export function describeMapRange(range: MapRange): string {
  if (isFlat(range)) return `boundary map flat at ${range.max.toFixed(2)}: it locates no boundary`;
  return `boundary map ${range.min.toFixed(2)}–${range.max.toFixed(2)} (of 0–1), stretched over the colour bar`;
}
