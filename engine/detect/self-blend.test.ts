import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createFloatImage, type FloatImage } from '../imaging/float-image.ts';
import { convexHull, fillPolygon, type Point } from '../imaging/polygon.ts';
import { DEFAULT_SELF_BLEND, selfBlend } from './self-blend.ts';

const SIZE = 64;

/** A textured synthetic "face" and landmarks on an ellipse around its centre. */
function syntheticFace(): { face: FloatImage; landmarks: Point[] } {
  const face = createFloatImage(SIZE, SIZE, 3);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const i = (y * SIZE + x) * 3;
      face.data[i] = 0.3 + 0.4 * Math.sin(x / 3) ** 2;
      face.data[i + 1] = 0.2 + 0.5 * (y / SIZE);
      face.data[i + 2] = 0.5 + 0.3 * Math.cos((x + y) / 5);
    }
  }
  const landmarks: Point[] = [];
  for (let k = 0; k < 36; k++) {
    const a = (k / 36) * 2 * Math.PI;
    landmarks.push([32 + 18 * Math.cos(a), 34 + 24 * Math.sin(a)]);
  }
  return { face, landmarks };
}

const noJpeg = { ...DEFAULT_SELF_BLEND, jpegProbability: 0 };

test('the blend mask stays inside the landmark hull and the fake equals the real face outside it', () => {
  const input = syntheticFace();
  const hull = fillPolygon(convexHull(input.landmarks), SIZE, SIZE);
  for (let seed = 1; seed <= 12; seed++) {
    const sample = selfBlend(input, seed, noJpeg);
    let inside = 0;
    for (let p = 0; p < SIZE * SIZE; p++) {
      const m = sample.mask.data[p]!;
      assert.ok(m >= 0 && m <= 1, `mask in [0,1] at ${p}`);
      if (hull.data[p] === 0) {
        assert.equal(m, 0, `seed ${seed}: mask outside hull at pixel ${p}`);
        for (let ch = 0; ch < 3; ch++)
          assert.equal(sample.fake.data[p * 3 + ch], input.face.data[p * 3 + ch]);
      } else if (m > 0.01) inside++;
    }
    assert.ok(
      inside > SIZE * SIZE * 0.1,
      `seed ${seed}: the mask covers a real part of the face (${inside} px)`,
    );
    assert.ok(Math.max(...sample.boundary.data) <= 1);
  }
});

test('the same seed gives the same sample; another seed gives another', () => {
  const input = syntheticFace();
  const a = selfBlend(input, 7);
  const b = selfBlend(input, 7);
  const c = selfBlend(input, 8);
  assert.deepEqual(a.fake.data, b.fake.data);
  assert.deepEqual(a.real.data, b.real.data);
  assert.deepEqual(a.mask.data, b.mask.data);
  assert.deepEqual(a.choices, b.choices);
  assert.notDeepEqual(a.fake.data, c.fake.data);
});

test('the fake differs from the real face inside the mask', () => {
  const input = syntheticFace();
  const sample = selfBlend(input, 3, noJpeg);
  let difference = 0;
  for (let p = 0; p < SIZE * SIZE; p++) {
    if (sample.mask.data[p]! > 0.5)
      difference += Math.abs(sample.fake.data[p * 3]! - input.face.data[p * 3]!);
  }
  assert.ok(difference > 1, `blended pixels changed (total |Δ| = ${difference})`);
});

test('JPEG re-compression changes pixels but keeps the image close', () => {
  const input = syntheticFace();
  const always = { ...DEFAULT_SELF_BLEND, jpegProbability: 1, jpegQualityRange: [50, 50] as const };
  const sample = selfBlend(input, 11, always);
  let meanError = 0;
  for (let i = 0; i < sample.real.data.length; i++)
    meanError += Math.abs(sample.real.data[i]! - input.face.data[i]!);
  meanError /= sample.real.data.length;
  assert.ok(meanError > 0 && meanError < 0.06, `mean |Δ| after JPEG q50 = ${meanError}`);
});
