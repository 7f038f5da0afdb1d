import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createFloatImage, type FloatImage } from './float-image.ts';
import { describeMapRange, heatmapPanel, mapRange, rampColour } from './heatmap.ts';

const SIZE = 96;
const GAP = 4;

/** A 12×12 map at `floor` everywhere but a 3×3 block of cells at `peak` (rows and columns 2–4). */
function blockMap(floor: number, peak: number): Float32Array {
  const map = new Float32Array(12 * 12).fill(floor);
  for (let row = 2; row <= 4; row++) for (let col = 2; col <= 4; col++) map[row * 12 + col] = peak;
  return map;
}

function pixel(picture: { width: number; data: Uint8Array }, x: number, y: number): number[] {
  const at = (y * picture.width + x) * 3;
  return Array.from(picture.data.subarray(at, at + 3));
}

const maxDifference = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i]!)));

test('the colour ramp runs from dark purple to saturated yellow and brightens monotonically', () => {
  assert.deepEqual(rampColour(0), [40, 0, 90]);
  assert.deepEqual(rampColour(1), [255, 240, 0]);
  const brightness = [0, 0.25, 0.5, 0.75, 1].map((v) => rampColour(v).reduce((a, b) => a + b, 0));
  for (let i = 1; i < brightness.length; i++) assert.ok(brightness[i]! > brightness[i - 1]!);
});

test('where the map is hot the overlay differs from the crop by well over 80/255; where it is cold, not at all', () => {
  // A mid-grey crop and a skin-toned one; the map as faint as the shipped detector's (0.01 floor, 0.11 peak).
  const crops: Array<[string, FloatImage]> = [
    ['grey', createFloatImage(SIZE, SIZE, 3, 0.5)],
    ['skin', skinCrop()],
  ];
  for (const [name, crop] of crops) {
    const { picture, range, flat } = heatmapPanel(crop, blockMap(0.01, 0.11), 12, SIZE);
    assert.ok(Math.abs(range.min - 0.01) < 1e-6 && Math.abs(range.max - 0.11) < 1e-6, name);
    assert.equal(flat, false);
    assert.equal(picture.width, SIZE * 2 + GAP);
    // The hot block covers cells 2–4, i.e. pixels 16–40 at 8 px a cell; its centre is at pixel 28.
    const original = pixel(picture, 28, 28);
    const hot = pixel(picture, SIZE + GAP + 28, 28);
    assert.ok(maxDifference(hot, original) > 100, `${name}: hot ${hot} against crop ${original}`);
    // Far from the block (cells 9–11) the map is at its floor: the crop shows through unchanged.
    assert.ok(maxDifference(pixel(picture, SIZE + GAP + 84, 84), pixel(picture, 84, 84)) <= 1, name);
    // The left half is the crop itself.
    assert.ok(
      maxDifference(
        original,
        Array.from(crop.data.subarray(0, 3), (v) => v * 255),
      ) <= 1,
    );
  }
});

test('the overlay shows the map over its own range: a faint map looks like a strong one, and says so', () => {
  const crop = createFloatImage(SIZE, SIZE, 3, 0.5);
  const faint = heatmapPanel(crop, blockMap(0.01, 0.11), 12, SIZE);
  const strong = heatmapPanel(crop, blockMap(0, 1), 12, SIZE);
  assert.ok(
    maxDifference(pixel(faint.picture, SIZE + GAP + 28, 28), pixel(strong.picture, SIZE + GAP + 28, 28)) <= 2,
  );
  assert.equal(
    describeMapRange(faint.range),
    'boundary map 0.01–0.11 (of 0–1), stretched over the colour bar',
  );
  assert.equal(
    describeMapRange(strong.range),
    'boundary map 0.00–1.00 (of 0–1), stretched over the colour bar',
  );
});

test('it is smooth, not blocks: the overlay changes gradually across a cell edge', () => {
  const { picture } = heatmapPanel(createFloatImage(SIZE, SIZE, 3, 0.5), blockMap(0, 1), 12, SIZE);
  // Along row 28, from inside the block (x = 28) to well outside it (x = 56): no single step jumps.
  let largest = 0;
  for (let x = 28; x < 56; x++)
    largest = Math.max(
      largest,
      maxDifference(pixel(picture, SIZE + GAP + x, 28), pixel(picture, SIZE + GAP + x + 1, 28)),
    );
  assert.ok(largest < 40, `largest step between neighbouring pixels: ${largest}`);
});

test('a flat map locates nothing: the crop is shown unchanged, and the caption says why', () => {
  const crop = createFloatImage(SIZE, SIZE, 3, 0.5);
  const { picture, flat, range } = heatmapPanel(crop, new Float32Array(144).fill(0.04), 12, SIZE);
  assert.equal(flat, true);
  assert.deepEqual(pixel(picture, SIZE + GAP + 28, 28), pixel(picture, 28, 28));
  assert.equal(describeMapRange(range), 'boundary map flat at 0.04: it locates no boundary');
  assert.deepEqual(mapRange([]), { min: 0, max: 0 });
});

test('the colour bar under the overlay runs the ramp from the lowest value to the highest', () => {
  const { picture } = heatmapPanel(createFloatImage(SIZE, SIZE, 3, 0.5), blockMap(0, 1), 12, SIZE);
  const barY = SIZE + GAP + 5;
  assert.deepEqual(pixel(picture, SIZE + GAP, barY), rampColour(0));
  assert.deepEqual(pixel(picture, SIZE * 2 + GAP - 1, barY), rampColour(1));
});

/** A crop in a typical light skin tone. */
function skinCrop(): FloatImage {
  const crop = createFloatImage(SIZE, SIZE, 3);
  for (let i = 0; i < SIZE * SIZE; i++) crop.data.set([0.82, 0.63, 0.55], i * 3);
  return crop;
}
