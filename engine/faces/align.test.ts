import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RgbFrame } from '../video/frame.ts';
import {
  alignmentTemplate,
  alignmentTransform,
  alignFace,
  applySimilarity,
  ARCFACE_TEMPLATE,
  composeSimilarity,
  invertSimilarity,
  similarityFromParams,
  umeyama,
  warpAffineRgb,
  type Point,
} from './align.ts';

function close(actual: number, expected: number, tol: number, what = ''): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${what} ${actual} not within ${tol} of ${expected}`);
}

/** Small deterministic PRNG (LCG) in [0, 1). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const SRC: Point[] = [
  [30, 40],
  [70, 38],
  [52, 60],
  [35, 85],
  [68, 84],
];

test('umeyama: hand-computed cases', () => {
  // +x onto +y, doubled: a quarter turn (clockwise on screen) with scale 2.
  const quarter = umeyama(
    [
      [0, 0],
      [1, 0],
    ],
    [
      [0, 0],
      [0, 2],
    ],
  );
  close(quarter.scale, 2, 1e-12);
  close(quarter.rotation, Math.PI / 2, 1e-12);
  close(quarter.translation[0], 0, 1e-12);
  close(quarter.translation[1], 0, 1e-12);

  // Pure translation.
  const shift = umeyama(
    [
      [0, 0],
      [2, 0],
      [0, 3],
    ],
    [
      [5, -1],
      [7, -1],
      [5, 2],
    ],
  );
  close(shift.scale, 1, 1e-12);
  close(shift.rotation, 0, 1e-12);
  close(shift.translation[0], 5, 1e-12);
  close(shift.translation[1], -1, 1e-12);
});

test('umeyama recovers an exact rotation + scale + translation', () => {
  const truth = similarityFromParams(1.7, 0.6, 12.5, -40);
  const dst = SRC.map((p) => applySimilarity(truth, p));
  const fit = umeyama(SRC, dst);
  close(fit.scale, 1.7, 1e-10, 'scale');
  close(fit.rotation, 0.6, 1e-10, 'rotation');
  close(fit.translation[0], 12.5, 1e-8, 'tx');
  close(fit.translation[1], -40, 1e-8, 'ty');
  for (let i = 0; i < 6; i++) close(fit.matrix[i]!, truth.matrix[i]!, 1e-9, `m${i}`);
  // Negative rotation and shrink.
  const truth2 = similarityFromParams(0.25, -2.5, -3, 7);
  const fit2 = umeyama(
    SRC,
    SRC.map((p) => applySimilarity(truth2, p)),
  );
  close(fit2.scale, 0.25, 1e-12);
  close(fit2.rotation, -2.5, 1e-10);
});

test('umeyama on noisy points stays close to the truth', () => {
  const rand = lcg(7);
  const truth = similarityFromParams(2.2, -0.35, 100, 50);
  const src: Point[] = Array.from({ length: 40 }, () => [rand() * 200, rand() * 200]);
  const dst = src.map((p) => {
    const [x, y] = applySimilarity(truth, p);
    return [x + (rand() - 0.5) * 2, y + (rand() - 0.5) * 2] as const;
  });
  const fit = umeyama(src, dst);
  close(fit.scale, 2.2, 0.01, 'scale');
  close(fit.rotation, -0.35, 0.005, 'rotation');
  for (const p of src) {
    const a = applySimilarity(fit, p);
    const b = applySimilarity(truth, p);
    assert.ok(Math.hypot(a[0] - b[0], a[1] - b[1]) < 1.5);
  }
});

test('umeyama never returns a reflection', () => {
  // Mirror image (x → −x) of a centred cross: hand-computed optimum over similarities is scale 0.6, no rotation.
  const src: Point[] = [
    [1, 0],
    [-1, 0],
    [0, 2],
    [0, -2],
  ];
  const dst: Point[] = src.map(([x, y]) => [-x, y]);
  const fit = umeyama(src, dst);
  const [a, b, , d, e] = fit.matrix;
  assert.ok(a * e - b * d > 0, 'determinant must be positive');
  close(fit.scale, 0.6, 1e-12);
  close(fit.rotation, 0, 1e-12);

  const mirroredFace = SRC.map(([x, y]) => [200 - x, y] as const);
  const fit2 = umeyama(SRC, mirroredFace);
  assert.ok(fit2.matrix[0] * fit2.matrix[4] - fit2.matrix[1] * fit2.matrix[3] > 0);
});

test('umeyama rejects degenerate input', () => {
  assert.throws(() => umeyama([[1, 1]], [[2, 2]]), RangeError);
  assert.throws(
    () =>
      umeyama(
        [
          [1, 1],
          [1, 1],
        ],
        [
          [0, 0],
          [1, 0],
        ],
      ),
    RangeError,
  );
  assert.throws(() => umeyama(SRC, SRC.slice(1)), RangeError);
});

test('invert ∘ apply is the identity; compose matches sequential application', () => {
  const t = similarityFromParams(3.1, 2.0, -17, 250);
  const inv = invertSimilarity(t);
  for (const p of [...SRC, [0, 0] as const, [-1e3, 4e3] as const]) {
    const back = applySimilarity(inv, applySimilarity(t, p));
    close(back[0], p[0], 1e-9);
    close(back[1], p[1], 1e-9);
  }
  const id = composeSimilarity(t, inv);
  [1, 0, 0, 0, 1, 0].forEach((v, i) => close(id.matrix[i]!, v, 1e-12));
  const u = similarityFromParams(0.5, -1, 3, 4);
  const both = composeSimilarity(t, u);
  const p: Point = [12, -7];
  const seq = applySimilarity(u, applySimilarity(t, p));
  const once = applySimilarity(both, p);
  close(once[0], seq[0], 1e-9);
  close(once[1], seq[1], 1e-9);
});

test('alignment template is ArcFace at margin 0 and shrinks about the centre with a margin', () => {
  const t112 = alignmentTemplate(112);
  close(t112[0]![0], 38.2946, 1e-9);
  close(t112[4]![1], 92.2041, 1e-9);
  const wide = alignmentTemplate(200, { margin: 0.25 });
  ARCFACE_TEMPLATE.forEach(([u, v], i) => {
    close(wide[i]![0], 100 + (u - 0.5) * (200 / 1.5), 1e-9);
    close(wide[i]![1], 100 + (v - 0.5) * (200 / 1.5), 1e-9);
  });
});

test('alignmentTransform maps keypoints onto the template', () => {
  // Keypoints = template (224 px) moved into a frame by a known similarity: the result is that map's inverse.
  const template = alignmentTemplate(224, { margin: 0.1 });
  const placement = similarityFromParams(1.3, 0.4, 300, 120);
  const keypoints = template.map((p) => applySimilarity(placement, p));
  const m = alignmentTransform(
    {
      leftEye: keypoints[0]!,
      rightEye: keypoints[1]!,
      noseTip: keypoints[2]!,
      mouthLeft: keypoints[3]!,
      mouthRight: keypoints[4]!,
    },
    224,
    { margin: 0.1 },
  );
  close(m.scale, 1 / 1.3, 1e-10);
  close(m.rotation, -0.4, 1e-10);
  keypoints.forEach((k, i) => {
    const q = applySimilarity(m, k);
    close(q[0], template[i]![0], 1e-8);
    close(q[1], template[i]![1], 1e-8);
  });
});

/** 256×200 frame with R = x, G = y, B = 77: bilinear sampling of a linear ramp is exact. */
function gradientFrame(): RgbFrame {
  const width = 256;
  const height = 200;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      data[i] = x;
      data[i + 1] = y;
      data[i + 2] = 77;
    }
  }
  return { width, height, data };
}

test('warpAffineRgb samples the frame through a known transform', () => {
  const frame = gradientFrame();
  const m = similarityFromParams(0.8, 0.3, -20, 10); // frame → crop
  const crop = warpAffineRgb(frame, m, { width: 120, height: 90 });
  assert.equal(crop.width, 120);
  assert.equal(crop.height, 90);
  assert.equal(crop.data.length, 120 * 90 * 3);
  const inv = invertSimilarity(m);
  let inside = 0;
  let outside = 0;
  for (let v = 0; v < 90; v++) {
    for (let u = 0; u < 120; u++) {
      const [x, y] = applySimilarity(inv, [u, v]);
      const o = (v * 120 + u) * 3;
      if (x >= 0 && y >= 0 && x <= 255 && y <= 199) {
        assert.ok(Math.abs(crop.data[o]! - x) <= 0.5 + 1e-6, `R at ${u},${v}: ${crop.data[o]} vs ${x}`);
        assert.ok(Math.abs(crop.data[o + 1]! - y) <= 0.5 + 1e-6, `G at ${u},${v}`);
        assert.equal(crop.data[o + 2], 77);
        inside++;
      } else if (x < -1 || y < -1 || x > 256 || y > 200) {
        assert.deepEqual([...crop.data.subarray(o, o + 3)], [0, 0, 0], `outside at ${u},${v}`);
        outside++;
      }
    }
  }
  assert.ok(inside > 5000 && outside > 100, `inside ${inside}, outside ${outside}`);
});

test('warpAffineRgb with an integer translation copies pixels exactly', () => {
  const frame = gradientFrame();
  const crop = warpAffineRgb(frame, similarityFromParams(1, 0, -10, -20), 50);
  for (let v = 0; v < 50; v++) {
    for (let u = 0; u < 50; u++) {
      const o = (v * 50 + u) * 3;
      assert.deepEqual([...crop.data.subarray(o, o + 3)], [u + 10, v + 20, 77]);
    }
  }
  assert.throws(() => warpAffineRgb(frame, similarityFromParams(1, 0, 0, 0), 0), RangeError);
});

/** A w×h frame of 1-pixel black and white checks: the highest frequency a frame can hold. */
function checkerFrame(w: number, h: number): RgbFrame {
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) data.fill((x + y) % 2 ? 255 : 0, (y * w + x) * 3, (y * w + x + 1) * 3);
  return { width: w, height: h, data };
}

function greyStats(frame: RgbFrame): { mean: number; std: number } {
  const n = frame.data.length;
  const mean = frame.data.reduce((s, v) => s + v, 0) / n;
  return { mean, std: Math.sqrt(frame.data.reduce((s, v) => s + (v - mean) ** 2, 0) / n) };
}

test('area resampling averages what a shrinking warp would alias; bilinear does not', () => {
  const frame = checkerFrame(500, 500);
  // Shrink 3.3× with a small rotation, as a large face is shrunk into its crop.
  const m = similarityFromParams(1 / 3.3, 0.1, -10, -10);
  const area = greyStats(warpAffineRgb(frame, m, 100, 'area'));
  const bilinear = greyStats(warpAffineRgb(frame, m, 100, 'bilinear'));
  close(area.mean, 127.5, 3, 'area mean');
  assert.ok(area.std < 25, `area leaves the checks as grey, std ${area.std.toFixed(1)}`);
  assert.ok(
    bilinear.std > 3 * area.std,
    `bilinear aliases: std ${bilinear.std.toFixed(1)} vs ${area.std.toFixed(1)}`,
  );
});

test('area resampling is bilinear where the warp does not shrink', () => {
  const frame = gradientFrame();
  for (const m of [similarityFromParams(1, 0, -10, -20), similarityFromParams(1.4, 0.3, -20, 10)]) {
    assert.deepEqual(warpAffineRgb(frame, m, 60, 'area'), warpAffineRgb(frame, m, 60, 'bilinear'));
  }
});

test('alignFace returns the crop and the transform that maps back to the frame', () => {
  const frame = gradientFrame();
  const keypoints: Point[] = [
    [100, 80],
    [140, 82],
    [121, 105],
    [104, 128],
    [137, 129],
  ];
  const { crop, transform } = alignFace(frame, keypoints, 112);
  assert.equal(crop.width, 112);
  // Template centre lands back on the frame where the crop sampled it from.
  const back = applySimilarity(invertSimilarity(transform), [56, 56]);
  const o = (56 * 112 + 56) * 3;
  close(crop.data[o]!, back[0], 0.51);
  close(crop.data[o + 1]!, back[1], 0.51);
});
