import assert from 'node:assert/strict';
import { test } from 'node:test';
import { outlineBox } from './box-outline.ts';

test('a box is outlined inside its edges, clipped to the frame, on a copy', () => {
  const frame = { width: 10, height: 8, data: new Uint8Array(10 * 8 * 3) };
  const out = outlineBox(frame, { x: 2, y: 1, width: 5, height: 4 }, [255, 0, 0], 1);
  const red = (x: number, y: number) => out.data[(y * 10 + x) * 3] === 255;
  assert.ok(red(2, 1) && red(6, 1) && red(2, 4) && red(6, 4), 'corners');
  assert.ok(!red(4, 2), 'inside stays');
  assert.ok(!red(7, 1) && !red(1, 1), 'outside stays');
  assert.equal(frame.data[(1 * 10 + 2) * 3], 0, 'the input is unchanged');
  const clipped = outlineBox(frame, { x: -5, y: -5, width: 100, height: 100 }, [0, 255, 0], 1);
  assert.equal(clipped.data[1], 255, 'clipped to the frame');
});
