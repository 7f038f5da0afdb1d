import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createFloatImage } from '../imaging/float-image.ts';
import { createRandom } from '../util/random.ts';
import { augmentFace, centredSimilarity, DEFAULT_AUGMENT, remap, upsampleLattice } from './random-warp.ts';

const apply = (m: readonly number[], x: number, y: number): [number, number] => [
  m[0]! * x + m[1]! * y + m[2]!,
  m[3]! * x + m[4]! * y + m[5]!,
];

test('centredSimilarity keeps the centre fixed, rotates and flips about it', () => {
  const size = 64;
  const c = 31.5;
  const m = centredSimilarity(size, Math.PI / 2, 1, 0, 0, false);
  assert.deepEqual(
    apply(m, c, c).map((v) => Math.round(v * 1e9) / 1e9),
    [c, c],
  );
  const [x, y] = apply(m, c + 10, c);
  assert.ok(Math.abs(x - c) < 1e-9 && Math.abs(y - (c + 10)) < 1e-9, '+x turns to +y');
  const flipped = centredSimilarity(size, 0, 1, 3, -2, true);
  const [fx, fy] = apply(flipped, c + 5, c);
  assert.ok(Math.abs(fx - (c - 5 + 3)) < 1e-9 && Math.abs(fy - (c - 2)) < 1e-9);
});

test('upsampleLattice puts the lattice on the corners and interpolates linearly between', () => {
  const field = upsampleLattice(Float32Array.from([0, 10, 20, 30]), 2, 5);
  assert.equal(field[0], 0);
  assert.ok(Math.abs(field[4]! - 10) < 1e-3);
  assert.ok(Math.abs(field[20]! - 20) < 1e-3);
  assert.ok(Math.abs(field[24]! - 30) < 1e-3);
  assert.ok(Math.abs(field[2]! - 5) < 1e-6, 'half way along the top edge');
});

test('remap with a zero field is the identity; a constant field shifts', () => {
  const image = createFloatImage(8, 8, 1);
  image.data.forEach((_, i) => (image.data[i] = i % 8));
  const zero = new Float32Array(64);
  assert.deepEqual(remap(image, zero, zero).data, image.data);
  const shifted = remap(image, new Float32Array(64).fill(1), zero);
  assert.equal(shifted.data[3], 4);
  assert.equal(shifted.data[7], 7, 'edges are replicated');
});

function stackedFace(size: number) {
  const face = createFloatImage(size, size, 5);
  for (let p = 0; p < size * size; p++) {
    const x = p % size;
    const y = Math.floor(p / size);
    face.data[p * 5] = x / size;
    face.data[p * 5 + 1] = y / size;
    face.data[p * 5 + 2] = 0.5;
    face.data[p * 5 + 3] = Math.hypot(x - size / 2, y - size / 2) < size / 3 ? 1 : 0;
    face.data[p * 5 + 4] = y < size / 2 && face.data[p * 5 + 3]! > 0 ? 1 : 0;
  }
  return face;
}

test('augmentFace: target and masks share one similarity; only the input is warped', () => {
  const face = stackedFace(32);
  const still = { ...DEFAULT_AUGMENT, rotationDegrees: 0, zoom: 0, shift: 0, flip: 0 };
  const unwarped = augmentFace(face, createRandom(1), { ...still, unwarpedFraction: 1 });
  assert.deepEqual(unwarped.input.data, unwarped.target.data, 'unwarped samples have input = target');
  for (let p = 0; p < 32 * 32; p++)
    assert.ok(Math.abs(unwarped.target.data[p * 3]! - face.data[p * 5]!) < 1e-6);
  const weight = unwarped.weight.data;
  const mask = unwarped.mask.data;
  for (let p = 0; p < 32 * 32; p++)
    assert.equal(weight[p], mask[p]! * (1 + 2 * face.data[p * 5 + 4]!), 'eyes ×3');

  const warped = augmentFace(face, createRandom(1), { ...still, unwarpedFraction: 0, warpSigma: 0.05 });
  assert.deepEqual(warped.target.data, unwarped.target.data, 'the target is never warped');
  const change =
    warped.input.data.reduce((s, v, i) => s + Math.abs(v - warped.target.data[i]!), 0) /
    warped.input.data.length;
  assert.ok(change > 0.003, `the input is warped (mean change ${change})`);

  const moved = augmentFace(face, createRandom(5), { ...DEFAULT_AUGMENT, unwarpedFraction: 1 });
  // Mask and target moved together: every masked pixel of the target holds a colour from inside the source mask.
  for (let p = 0; p < 32 * 32; p++)
    if (moved.mask.data[p] === 1) assert.ok(moved.target.data[p * 3 + 2]! === 0.5);
});

test('augmentation is reproducible from its seed', () => {
  const face = stackedFace(32);
  const a = augmentFace(face, createRandom(9));
  const b = augmentFace(face, createRandom(9));
  assert.deepEqual(a.input.data, b.input.data);
});
