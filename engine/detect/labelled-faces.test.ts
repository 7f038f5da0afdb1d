import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { alignmentTransform } from '../faces/align.ts';
import { DEFAULT_EXTRACT_FACES } from '../faces/extract-faces.ts';
import { loadFaceDetector, type FaceDetectorModel } from '../faces/face-detector.ts';
import { detectFacesScaled } from '../faces/detect-scaled.ts';
import { decodeImageFile } from '../imaging/decode-image.ts';
import { warpAffineRgb } from '../faces/align.ts';
import { encodePng } from '../imaging/png.ts';
import { GRACE_HOPPER_JPG, ASTRONAUT_PNG } from '../testing/fixtures.ts';
import type { RgbFrame } from '../video/frame.ts';
import { alignLabelledFaces } from './align-labelled-faces.ts';
import { cachedLabelledFaceBanks } from './cached-face-bank.ts';
import {
  buildLabelledFaceBanks,
  centralFace,
  DEFAULT_LABELLED_FACES,
  fractionOutside,
  padFrame,
  parseLabelledFaceCsv,
  type LabelledFacesOptions,
} from './labelled-faces.ts';

const options: LabelledFacesOptions = {
  ...DEFAULT_LABELLED_FACES,
  extract: { ...DEFAULT_EXTRACT_FACES, margin: -0.1 },
};

test('the metadata CSV gives label, pair and split per file, and names a bad line', () => {
  const rows = parseLabelledFaceCsv(
    'file,label,pair,split,extra\nreal/a.jpg,REAL,a,train,x\n"fake/a b.jpg",fake,a,Validation,\nreal/c.jpg,0,c,test,\n',
  );
  assert.deepEqual(rows, [
    { file: 'real/a.jpg', label: 'real', pair: 'a', split: 'train' },
    { file: 'fake/a b.jpg', label: 'fake', pair: 'a', split: 'val' },
    { file: 'real/c.jpg', label: 'real', pair: 'c', split: 'test' },
  ]);
  assert.throws(() => parseLabelledFaceCsv('file,label,pair,split\nx.jpg,MAYBE,x,train\n'), /line 2: label/);
  assert.throws(() => parseLabelledFaceCsv('file,label,pair,split\nx.jpg,REAL,x,holdout\n'), /line 2: split/);
  assert.throws(() => parseLabelledFaceCsv('file,label,split\nx.jpg,REAL,train\n'), /no pair column/);
});

test('padding, the central face and the outside fraction are exact', () => {
  const frame: RgbFrame = { width: 2, height: 1, data: new Uint8Array([1, 2, 3, 4, 5, 6]) };
  const padded = padFrame(frame, 1);
  assert.equal(padded.width, 4);
  assert.equal(padded.height, 3);
  assert.deepEqual([...padded.data.subarray(15, 21)], [1, 2, 3, 4, 5, 6]);
  assert.equal(padded.data[0], 0);
  const face = (x: number, w: number) => ({ box: { x, y: x, width: w, height: w } }) as never;
  const [corner, near, nearAndLarger] = [face(0, 10), face(45, 10), face(40, 20)];
  assert.equal(centralFace([corner, near, nearAndLarger], 50, 50, 10), nearAndLarger);
  assert.deepEqual(centralFace([face(0, 10)], 50, 50, 10), undefined);
  const identity = { matrix: [1, 0, 0, 0, 1, 0], scale: 1, rotation: 0, translation: [0, 0] } as const;
  assert.equal(fractionOutside(identity, 10, { x: 0, y: 0, width: 10, height: 10 }), 0);
  assert.equal(fractionOutside(identity, 10, { x: 0, y: 0, width: 5, height: 10 }), 0.5);
});

let detector: FaceDetectorModel;
let dir: string;

/** A tight square crop around the detected face, 224 px, like DFDC's published crops. */
async function tightCrop(path: string): Promise<RgbFrame> {
  const frame = await decodeImageFile(path);
  const [face] = await detectFacesScaled(detector, frame);
  const side = Math.max(face!.box.width, face!.box.height);
  const cx = face!.box.x + face!.box.width / 2;
  const cy = face!.box.y + face!.box.height / 2;
  const s = 224 / side;
  return warpAffineRgb(frame, [s, 0, 112 - s * cx, 0, s, 112 - s * cy], 224);
}

/** The crop with a brighter inner square: a stand-in "deepfake" of the same source. */
function alteredInside(crop: RgbFrame): RgbFrame {
  const data = crop.data.slice();
  for (let y = 70; y < 150; y++)
    for (let x = 70; x < 150; x++)
      for (let c = 0; c < 3; c++)
        data[(y * 224 + x) * 3 + c] = Math.min(255, data[(y * 224 + x) * 3 + c]! + 40);
  return { ...crop, data };
}

before(async () => {
  detector = await loadFaceDetector();
  dir = await mkdtemp(join(tmpdir(), 'unmask-labelled-'));
  await mkdir(join(dir, 'real'));
  await mkdir(join(dir, 'fake'));
  const hopper = await tightCrop(GRACE_HOPPER_JPG);
  const astronaut = await tightCrop(ASTRONAUT_PNG);
  await writeFile(join(dir, 'real/hopper.png'), encodePng(hopper));
  await writeFile(join(dir, 'fake/hopper-swap.png'), encodePng(alteredInside(hopper)));
  await writeFile(join(dir, 'real/astronaut.png'), encodePng(astronaut));
  await writeFile(join(dir, 'fake/astronaut-swap.png'), encodePng(alteredInside(astronaut)));
  const grey: RgbFrame = { width: 224, height: 224, data: new Uint8Array(224 * 224 * 3).fill(128) };
  await writeFile(join(dir, 'real/wall.png'), encodePng(grey));
  await writeFile(join(dir, 'real/broken.jpg'), Buffer.from('not a jpeg at all'));
  await writeFile(
    join(dir, 'metadata.csv'),
    [
      'file,label,pair,split',
      'real/hopper.png,REAL,hopper,train',
      'fake/hopper-swap.png,FAKE,hopper,train',
      'real/astronaut.png,REAL,astronaut,val',
      'fake/astronaut-swap.png,FAKE,astronaut,val',
      'real/wall.png,REAL,wall,train',
      'real/broken.jpg,REAL,broken,test',
      'real/missing.jpg,REAL,missing,test',
    ].join('\n'),
  );
});

after(() => detector.dispose());

test('a labelled folder becomes split banks of aligned faces, with every skipped image explained', async () => {
  const rows = parseLabelledFaceCsv(await readFile(join(dir, 'metadata.csv'), 'utf8'));
  const { banks, report } = await buildLabelledFaceBanks(dir, rows, detector, options);
  assert.equal(report.rows, 7);
  assert.equal(report.kept, 4, JSON.stringify(report.skippedFiles));
  assert.deepEqual(report.counts, {
    train: { real: 1, fake: 1 },
    val: { real: 1, fake: 1 },
    test: { real: 0, fake: 0 },
  });
  const reasons = Object.fromEntries(report.skippedFiles.map((s) => [s.file, s.reason]));
  assert.deepEqual(reasons, {
    'real/wall.png': 'no-face',
    'real/broken.jpg': 'unreadable',
    'real/missing.jpg': 'unreadable',
  });
  assert.equal(banks.test, undefined);
  const train = banks.train!;
  assert.equal(train.size, 160);
  assert.equal(train.margin, -0.1);
  assert.deepEqual(
    train.entries.map((e) => [e.source, e.label, e.pair, e.split, e.group]),
    [
      ['real/hopper.png', 'real', 'hopper', 'train', 'hopper'],
      ['fake/hopper-swap.png', 'fake', 'hopper', 'train', 'hopper'],
    ],
  );
  assert.ok(train.entries[0]!.hull.length >= 8, 'the landmark hull is kept for self-blending');
  assert.ok(report.medianOutside < options.maxOutside);
});

test("the scan's face filters apply: a face under the size limit is skipped as too small", async () => {
  const rows = parseLabelledFaceCsv('file,label,pair,split\nreal/hopper.png,REAL,hopper,train\n');
  const strict = { ...options, extract: { ...options.extract, minFaceSize: 1000 } };
  const { report } = await buildLabelledFaceBanks(dir, rows, detector, strict);
  assert.equal(report.kept, 0);
  assert.equal(report.skippedFiles[0]!.reason, 'too-small');
});

test('a tight crop aligns as the scan aligns the same face in its full frame', async () => {
  const rows = parseLabelledFaceCsv('file,label,pair,split\nreal/hopper.png,REAL,hopper,train\n');
  const { banks } = await buildLabelledFaceBanks(dir, rows, detector, options);
  const crop = banks.train!.crops;
  // The scan's crop of the same face, from the original 512 px photo.
  const frame = await decodeImageFile(GRACE_HOPPER_JPG);
  const [face] = await detectFacesScaled(detector, frame);
  const scan = warpAffineRgb(frame, alignmentTransform(face!.keypoints, 160, { margin: -0.1 }), 160);
  // Compare the central half (the tight crop lacks the outer context): the same face, framed alike.
  let diff = 0;
  let n = 0;
  for (let y = 40; y < 120; y++) {
    for (let x = 40; x < 120; x++) {
      for (let c = 0; c < 3; c++)
        diff += Math.abs(crop[(y * 160 + x) * 3 + c]! - scan.data[(y * 160 + x) * 3 + c]!);
      n += 3;
    }
  }
  assert.ok(diff / n < 14, `mean difference ${(diff / n).toFixed(1)} / 255 between the two alignments`);
});

test('the cache is reused while the CSV and options stay the same', async () => {
  const out = await mkdtemp(join(tmpdir(), 'unmask-labelled-cache-'));
  const signal = new AbortController().signal;
  const first = await cachedLabelledFaceBanks(dir, options, out, () => undefined, signal);
  let progressed = 0;
  const second = await cachedLabelledFaceBanks(dir, options, out, () => progressed++, signal);
  assert.equal(progressed, 0, 'the second call aligned nothing');
  assert.deepEqual(second.report, first.report);
  assert.deepEqual(second.banks.val!.crops, first.banks.val!.crops);
  const other = await cachedLabelledFaceBanks(
    dir,
    { ...options, maxOutside: 0.9 },
    out,
    () => progressed++,
    signal,
  );
  assert.ok(progressed > 0, 'changed options rebuild the banks');
  assert.equal(other.report.kept, first.report.kept);
});

test('aligning on two threads gives exactly what one thread gives, in row order', async () => {
  const rows = parseLabelledFaceCsv(await readFile(join(dir, 'metadata.csv'), 'utf8'));
  const one = await alignLabelledFaces(dir, rows, options, 1);
  let progress = 0;
  const two = await alignLabelledFaces(dir, rows, options, 2, (e) => (progress = e.done), undefined, 1);
  assert.equal(progress, rows.length);
  const skipped = (r: typeof one.report) => r.skippedFiles.map((s) => [s.file, s.reason]);
  assert.deepEqual(skipped(two.report), skipped(one.report));
  assert.deepEqual(two.report.counts, one.report.counts);
  for (const split of ['train', 'val'] as const) {
    assert.deepEqual(two.banks[split]!.entries, one.banks[split]!.entries);
    assert.deepEqual(two.banks[split]!.crops, one.banks[split]!.crops);
  }
});
