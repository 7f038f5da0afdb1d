import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createFloatImage } from './float-image.ts';
import { heatmapOverlay, rampColour } from './heatmap.ts';

test('the colour ramp runs from near black to pale yellow and brightens monotonically', () => {
  assert.deepEqual(rampColour(0), [0, 0, 4]);
  assert.deepEqual(rampColour(1), [252, 255, 164]);
  const brightness = [0, 0.25, 0.5, 0.75, 1].map((v) => rampColour(v).reduce((a, b) => a + b, 0));
  for (let i = 1; i < brightness.length; i++) assert.ok(brightness[i]! > brightness[i - 1]!);
});

test('the overlay shows the crop unchanged on the left and tints only where the map is hot', () => {
  const crop = createFloatImage(32, 32, 3, 0.5);
  const map = new Float32Array(4 * 4);
  map[5] = 1; // one hot cell in the upper-left quadrant
  const picture = heatmapOverlay(crop, map, 4, 32);
  assert.equal(picture.width, 32 * 2 + 4);
  assert.equal(picture.height, 32);
  const at = (x: number, y: number) =>
    Array.from(picture.data.subarray((y * picture.width + x) * 3, (y * picture.width + x) * 3 + 3));
  assert.deepEqual(at(10, 10), [128, 128, 128], 'left half is the crop');
  const hot = at(36 + 11, 11);
  const cold = at(36 + 28, 28);
  assert.deepEqual(cold, [128, 128, 128], 'cold cells leave the crop as it is');
  assert.notDeepEqual(hot, [128, 128, 128], 'the hot cell is tinted');
});
