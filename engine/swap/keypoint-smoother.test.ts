import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRandom } from '../util/random.ts';
import { KeypointSmoother } from './keypoint-smoother.ts';

const at = (x: number, y: number) => [[x, y] as const, [x + 40, y] as const];

test('jitter on a still face is damped', () => {
  const smoother = new KeypointSmoother();
  const r = createRandom(3);
  let rawVar = 0;
  let smoothVar = 0;
  for (let i = 0; i < 200; i++) {
    const noise = r.normal() * 2;
    const out = smoother.smooth(at(100 + noise, 50), i / 25);
    if (i > 20) {
      rawVar += noise ** 2;
      smoothVar += (out[0]![0] - 100) ** 2;
    }
  }
  assert.ok(smoothVar < rawVar / 4, `variance ${smoothVar} vs raw ${rawVar}`);
});

test('a real move is followed within a few frames, and a gap restarts the filter', () => {
  const smoother = new KeypointSmoother();
  for (let i = 0; i < 25; i++) smoother.smooth(at(100, 50), i / 25);
  let out = smoother.smooth(at(100, 50), 1);
  for (let i = 1; i <= 10; i++) out = smoother.smooth(at(100 + 8 * i, 50), 1 + i / 25);
  assert.ok(Math.abs(out[0]![0] - 180) < 12, `moving head: ${out[0]![0]} should be near 180`);
  const restarted = smoother.smooth(at(400, 300), 5);
  assert.deepEqual(restarted[0], [400, 300], 'after a gap the first point is taken as is');
});
