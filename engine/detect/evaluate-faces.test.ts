import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeImageFile } from '../imaging/decode-image.ts';
import { syntheticLabelledBank } from '../testing/synthetic-bank.ts';
import { GRACE_HOPPER_JPG } from '../testing/fixtures.ts';
import type { DetectorModel } from './detector.ts';
import { reencodeImages, scoreFaceBank, summarizeFaceScores } from './evaluate-faces.ts';
import { parseLabelledFaceCsv } from './labelled-faces.ts';

test('face scores summarise into AUC, calibration error and rates at the flag threshold', () => {
  const scores = [
    { score: 0.9, label: 1 as const },
    { score: 0.7, label: 1 as const },
    { score: 0.6, label: 0 as const },
    { score: 0.2, label: 0 as const },
    { score: 0.5, label: 1 as const },
  ];
  const summary = summarizeFaceScores(scores, 0.65);
  assert.deepEqual(summary.samples, { real: 2, fake: 3 });
  // Pairs (fake, real) ranked right: (0.9, *) 2, (0.7, *) 2, (0.5, 0.2) 1 of 6.
  assert.ok(Math.abs(summary.auc - 5 / 6) < 1e-12);
  assert.equal(summary.atFlagThreshold.truePositiveRate, 2 / 3);
  assert.equal(summary.atFlagThreshold.falsePositiveRate, 0);
  assert.ok(summary.ece > 0 && summary.ece < 1);
});

test("scoring refuses faces aligned differently from how the detector crops, and keeps each face's image and logit", async () => {
  const bank = syntheticLabelledBank(2, 'test', 32);
  const detector = {
    metadata: {
      crop: { alignedSize: 32, margin: -0.1, resampling: 'bilinear' },
      architecture: { inputSize: 32 },
    },
    predict: async (crops: unknown[]) =>
      crops.map((_, i) => ({ probability: 0.25 + i / 10, logit: i - 1, boundary: new Float32Array() })),
  } as unknown as DetectorModel;
  await assert.rejects(scoreFaceBank(detector, bank), /margin 0.15.*margin -0.1/);
  const scores = await scoreFaceBank(detector, { ...bank, margin: -0.1 }, undefined, 3);
  assert.deepEqual(
    scores.map((s) => [s.source, s.label, s.logit, s.score]),
    [
      ['test0-real', 0, -1, 0.25],
      ['test0-fake', 1, 0, 0.35],
      ['test1-real', 0, 1, 0.45],
      ['test1-fake', 1, -1, 0.25],
    ],
    'each face keeps its image, label, logit and probability, across chunks',
  );
});

test('re-encoding copies a dataset through H.264: same rows, PNG files, visibly compressed', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'unmask-reencode-src-'));
  await mkdir(join(dir, 'real'));
  await copyFile(GRACE_HOPPER_JPG, join(dir, 'real', 'hopper.jpg'));
  await writeFile(join(dir, 'real', 'broken.jpg'), 'not an image');
  const rows = parseLabelledFaceCsv(
    'file,label,pair,split\nreal/hopper.jpg,REAL,h,test\nreal/broken.jpg,REAL,b,test\n',
  );
  const out = await mkdtemp(join(tmpdir(), 'unmask-reencode-out-'));
  const copies = await reencodeImages(dir, rows, 40, out);
  assert.deepEqual(copies, [{ file: 'real/hopper.png', label: 'real', pair: 'h', split: 'test' }]);
  assert.deepEqual(parseLabelledFaceCsv(await readFile(join(out, 'metadata.csv'), 'utf8')), copies);
  const before = await decodeImageFile(GRACE_HOPPER_JPG);
  const after = await decodeImageFile(join(out, 'real', 'hopper.png'));
  assert.equal(after.width, before.width);
  let diff = 0;
  for (let i = 0; i < before.data.length; i++) diff += Math.abs(before.data[i]! - after.data[i]!);
  const mean = diff / before.data.length;
  assert.ok(
    mean > 1 && mean < 20,
    `mean change ${mean.toFixed(2)} / 255: compressed, still the same picture`,
  );
});
