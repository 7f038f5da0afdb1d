import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRandom } from '../util/random.ts';
import { drawWatermark, hasWatermark, watermarkLayout, watermarkScore } from './watermark.ts';

function frame(width: number, height: number, seed: number) {
  const r = createRandom(seed);
  return { width, height, data: Uint8Array.from({ length: width * height * 3 }, () => r.int(0, 255)) };
}

test('a drawn watermark scores 1 and ordinary pictures do not pass', () => {
  for (const [w, h] of [
    [640, 360],
    [321, 241],
    [1920, 1080],
    [120, 90],
  ] as const) {
    const noisy = frame(w, h, w);
    assert.ok(!hasWatermark(noisy), `noise ${w}×${h} scored ${watermarkScore(noisy)}`);
    const flat = { width: w, height: h, data: new Uint8Array(w * h * 3).fill(128) };
    assert.ok(!hasWatermark(flat));
    assert.equal(watermarkScore(drawWatermark(noisy)), 1);
  }
});

test('the label scales with the frame and stays inside it', () => {
  const small = watermarkLayout(320, 180);
  const large = watermarkLayout(1920, 1080);
  assert.ok(large.cell > small.cell);
  for (const [w, h] of [
    [320, 180],
    [1920, 1080],
    [100, 400],
  ] as const) {
    const l = watermarkLayout(w, h);
    assert.ok(l.x + l.width <= w, `fits ${w} wide`);
    assert.ok(l.y + l.height <= h);
  }
});
