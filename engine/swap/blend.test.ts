import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createFloatImage } from '../imaging/float-image.ts';
import { createRandom } from '../util/random.ts';
import { featherMask, labToRgb, pasteFace, rgbToLab, transferColourLab } from './blend.ts';

test('sRGB → L*a*b* → sRGB round-trips, and white and black land where they should', () => {
  const r = createRandom(2);
  for (let i = 0; i < 200; i++) {
    const rgb: [number, number, number] = [r.next(), r.next(), r.next()];
    const back = labToRgb(...rgbToLab(...rgb));
    rgb.forEach((v, c) => assert.ok(Math.abs(v - back[c]!) < 1e-5));
  }
  const white = rgbToLab(1, 1, 1);
  assert.ok(Math.abs(white[0] - 100) < 1e-3 && Math.abs(white[1]) < 1e-3 && Math.abs(white[2]) < 1e-3);
  assert.ok(Math.abs(rgbToLab(0, 0, 0)[0]) < 1e-9);
});

function labMeanStd(image: ReturnType<typeof createFloatImage>, mask: ReturnType<typeof createFloatImage>) {
  const values: number[][] = [[], [], []];
  for (let p = 0; p < mask.data.length; p++) {
    if (mask.data[p]! < 0.5) continue;
    const lab = rgbToLab(image.data[p * 3]!, image.data[p * 3 + 1]!, image.data[p * 3 + 2]!);
    lab.forEach((v, c) => values[c]!.push(v));
  }
  return values.map((v) => {
    const m = v.reduce((s, x) => s + x, 0) / v.length;
    return [m, Math.sqrt(v.reduce((s, x) => s + (x - m) ** 2, 0) / v.length)];
  });
}

test('LAB transfer gives the source the reference’s mean and spread inside the mask', () => {
  const r = createRandom(5);
  const source = createFloatImage(16, 16, 3);
  const reference = createFloatImage(16, 16, 3);
  const mask = createFloatImage(16, 16, 1);
  for (let p = 0; p < 256; p++) {
    source.data[p * 3] = 0.2 + 0.3 * r.next();
    source.data[p * 3 + 1] = 0.4 + 0.2 * r.next();
    source.data[p * 3 + 2] = 0.6 + 0.2 * r.next();
    reference.data[p * 3] = 0.5 + 0.2 * r.next();
    reference.data[p * 3 + 1] = 0.3 + 0.1 * r.next();
    reference.data[p * 3 + 2] = 0.25 + 0.2 * r.next();
    mask.data[p] = p % 16 < 12 ? 1 : 0;
  }
  const moved = labMeanStd(transferColourLab(source, reference, mask), mask);
  const wanted = labMeanStd(reference, mask);
  moved.forEach(([m, s], c) => {
    assert.ok(Math.abs(m! - wanted[c]![0]!) < 0.5, `channel ${c} mean ${m} vs ${wanted[c]![0]}`);
    assert.ok(Math.abs(s! - wanted[c]![1]!) < 0.5, `channel ${c} std ${s} vs ${wanted[c]![1]}`);
  });
});

test('featherMask erodes then softens: the seam moves inside the face', () => {
  const mask = createFloatImage(32, 32, 1);
  for (let y = 8; y < 24; y++) for (let x = 8; x < 24; x++) mask.data[y * 32 + x] = 1;
  const soft = featherMask(mask, 2, 1.5);
  assert.ok(soft.data.every((v) => v >= 0 && v <= 1));
  assert.ok(soft.data[16 * 32 + 16]! > 0.99, 'the centre stays opaque');
  assert.ok(soft.data[16 * 32 + 8]! < 0.25, 'the old edge is now mostly transparent');
  assert.ok(soft.data[16 * 32 + 6]! < 0.02, 'outside it fades out');
  const area = (m: typeof mask) => m.data.reduce((s, v) => s + v, 0);
  assert.ok(area(soft) < area(mask));
});

test('pasteFace: alpha 1 replaces the footprint, alpha 0 changes nothing, the rest is untouched', () => {
  const frame = { width: 40, height: 30, data: new Uint8Array(40 * 30 * 3).fill(10) };
  const face = createFloatImage(8, 8, 3, 1);
  const opaque = createFloatImage(8, 8, 1, 1);
  // frame → crop: the crop's 8×8 covers frame pixels x 10..17, y 5..12 (a pure translation).
  const out = pasteFace(frame, face, opaque, [1, 0, -10, 0, 1, -5]);
  assert.equal(out.data[(8 * 40 + 13) * 3], 255);
  assert.equal(out.data[(5 * 40 + 10) * 3], 255);
  assert.equal(out.data[(20 * 40 + 30) * 3], 10, 'outside the footprint');
  assert.equal(frame.data[(8 * 40 + 13) * 3], 10, 'the input frame is not modified');
  const clear = pasteFace(frame, face, createFloatImage(8, 8, 1, 0), [1, 0, -10, 0, 1, -5]);
  assert.deepEqual(clear.data, frame.data);
  // Scaled ×2: the crop covers 16×16 frame pixels.
  const scaled = pasteFace(frame, face, opaque, [0.5, 0, -5, 0, 0.5, -2.5]);
  assert.equal(scaled.data[(15 * 40 + 20) * 3], 255);
});
