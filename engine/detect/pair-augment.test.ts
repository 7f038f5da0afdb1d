import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createFloatImage } from '../imaging/float-image.ts';
import type { Point } from '../imaging/polygon.ts';
import { createRandom } from '../util/random.ts';
import { applyPhotometric, DEFAULT_PAIR_AUGMENT, drawPhotometric, jitterGeometry } from './pair-augment.ts';

test('geometric jitter moves the landmark hull with the face', () => {
  const face = createFloatImage(64, 64, 3);
  // A single bright pixel at (20, 30), marked as a "landmark" there.
  const at = (x: number, y: number) => (y * 64 + x) * 3;
  face.data.fill(0);
  face.data[at(20, 30)] = 1;
  const hull: Point[] = [[20, 30]];
  const { face: moved, hull: movedHull } = jitterGeometry(face, hull, createRandom(3), DEFAULT_PAIR_AUGMENT);
  const [x, y] = movedHull[0]!;
  // The brightest output pixel sits where the transformed landmark says.
  let best = -1;
  let bestIndex = 0;
  for (let p = 0; p < 64 * 64; p++) {
    if (moved.data[p * 3]! > best) {
      best = moved.data[p * 3]!;
      bestIndex = p;
    }
  }
  assert.ok(
    Math.hypot((bestIndex % 64) - x, Math.floor(bestIndex / 64) - y) < 1.5,
    `peak near (${x.toFixed(1)}, ${y.toFixed(1)})`,
  );
});

test('one photometric draw changes both images of a pair identically', () => {
  const a = createFloatImage(16, 16, 3, 0.4);
  const b = createFloatImage(16, 16, 3, 0.4);
  const p = drawPhotometric(createRandom(9), {
    ...DEFAULT_PAIR_AUGMENT,
    noiseProbability: 1,
    blurProbability: 1,
  });
  const outA = applyPhotometric(a, p, createRandom);
  const outB = applyPhotometric(b, p, createRandom);
  assert.deepEqual(outA.data, outB.data);
  assert.notDeepEqual(outA.data, a.data);
  assert.ok(outA.data.every((v) => v >= 0 && v <= 1));
});
