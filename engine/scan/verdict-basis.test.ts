import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scannedFixture } from '../testing/scanned-fixture.ts';
import { scanDamage } from './scan-damage.ts';
import { parseScanResult } from './scan-result.ts';
import { bitsPerPixel, scanCaveats, verdictBasisOf } from './verdict-basis.ts';

test('bits per pixel: the video stream bit rate over pixels per second, else the container one', () => {
  const video = { displayWidth: 640, displayHeight: 360, avgFps: 25 };
  assert.equal(bitsPerPixel({ bitRate: 999_999, video: { ...video, bitRate: 576_000 } }), 0.1);
  assert.equal(bitsPerPixel({ bitRate: 576_000, video }), 0.1, 'older probes: the container bit rate');
  assert.equal(bitsPerPixel({ bitRate: null, video: { ...video, bitRate: null } }), null);
  assert.equal(bitsPerPixel({ bitRate: 1, video: { ...video, avgFps: null } }), null);
  assert.equal(bitsPerPixel(undefined), null);
});

test('what a verdict rests on: judged frames, the deciding person, the bit rate', () => {
  const face = (probability: number | null) => ({ manipulation: { probability } });
  const basis = verdictBasisOf({
    probe: { bitRate: 5760, video: { displayWidth: 640, displayHeight: 360, avgFps: 25 } },
    frames: [
      { faces: [face(0.9), face(null)] },
      { faces: [face(null)] },
      { faces: [] },
      { faces: [face(0.2)] },
    ],
    tracks: [
      { id: 1, scoredFrames: 2 },
      { id: 2, scoredFrames: 0 },
    ],
    verdict: { decidingTrackId: 1 },
  });
  assert.deepEqual(basis, {
    damage: null,
    sampledFrames: 4,
    judgedFrames: 2,
    decidingTrackId: 1,
    decidingFrames: 2,
    bitsPerPixel: 0.001,
  });
});

test('a scan carries its caveats; a file written before caveats existed gets them when read', async () => {
  const scan = await scannedFixture('one-face');
  assert.deepEqual(scan.verdict.caveats, scanCaveats(scan));
  // Cut to 2 judged frames: the verdict rests on too few.
  const short = structuredClone(scan);
  short.frames = short.frames.slice(0, 2);
  short.tracks[0]!.scoredFrames = 2;
  const { caveats: _dropped, ...older } = short.verdict;
  const read = parseScanResult({ ...short, verdict: older });
  assert.equal(read.verdict.caveats.length, 1);
  assert.match(read.verdict.caveats[0]!, /rests on only 2 judged frames of person 1/);
});

test('a damaged scan lists its damage first among the caveats, also for files that predate caveats', async () => {
  const scan = structuredClone(await scannedFixture('one-face'));
  scan.damage = scanDamage(12, ['Invalid NAL unit size'], [{ fromSec: 1.2, toSec: 2.6 }]);
  const { caveats: _dropped, ...older } = scan.verdict;
  const message = `${scan.summary.message} ${scan.damage!.caveat}`;
  const read = parseScanResult({ ...scan, verdict: older, summary: { ...scan.summary, message } });
  assert.equal(read.verdict.caveats[0], scan.damage!.caveat);
  assert.deepEqual(read.verdict.caveats, scanCaveats(scan));
  assert.equal(read.summary.message, scan.summary.message, 'said once: among the caveats, not the summary');
});
