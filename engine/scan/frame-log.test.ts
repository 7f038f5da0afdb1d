import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FRAME_LOG_FILE, FrameLog } from './frame-log.ts';
import type { ScannedFace, ScannedFrame } from './scan-result.ts';

/** Seeded frames as a scan writes them: several faces, 468 landmarks each, heatmaps, non-ASCII caveats. */
function syntheticFrames(count: number, seed = 3): ScannedFrame[] {
  let state = seed;
  const random = () => (state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0) / 2 ** 32;
  const point = (): [number, number] => [Math.round(random() * 6400) / 10, Math.round(random() * 3600) / 10];
  const face = (trackId: number): ScannedFace => {
    const probability = random() < 0.2 ? null : Math.round(random() * 1e4) / 1e4;
    return {
      trackId,
      box: { x: random() * 600, y: random() * 300, width: 40 + random() * 100, height: 40 + random() * 100 },
      detectorScore: random(),
      meshScore: random(),
      keypoints: {
        leftEye: point(),
        rightEye: point(),
        noseTip: point(),
        mouthLeft: point(),
        mouthRight: point(),
      },
      landmarks: Array.from({ length: 468 }, point),
      pose: random() < 0.1 ? null : { yaw: random() - 0.5, pitch: random() - 0.5, roll: random() - 0.5 },
      manipulation: {
        status: probability === null ? 'too-small' : 'scored',
        probability,
        logit: probability === null ? null : random() * 8 - 4,
        strength: null,
        caveats: random() < 0.3 ? ['head turned 40°: lower confidence — «ünïcode» ✓'] : [],
        heatmap: probability !== null && probability > 0.6 ? Array.from({ length: 256 }, random) : null,
      },
    };
  };
  return Array.from({ length: count }, (_, index) => ({
    index,
    timeSec: Math.round(index * 0.2 * 1e6) / 1e6,
    faces: Array.from({ length: index % 3 }, (_, k) => face(k + 1)),
  }));
}

test('a log gives back every frame it was given, in order, across read-chunk boundaries', () => {
  // Several MiB of lines, so lines straddle the 1 MiB reads.
  const frames = syntheticFrames(400);
  const log = FrameLog.createPrivate();
  try {
    for (const frame of frames) log.append(frame);
    assert.equal(log.count, frames.length);
    assert.deepEqual([...log], frames);
    assert.deepEqual([...log], frames, 'a log can be read more than once');
  } finally {
    log.close();
  }
});

test(
  'a private log has no name on disk while open, so a killed scan leaves nothing; close frees it',
  { skip: process.platform === 'win32' && 'Windows may keep an open file’s name until it is closed' },
  () => {
    const root = mkdtempSync(join(tmpdir(), 'unmask-frame-log-'));
    const log = FrameLog.createPrivate(root);
    log.append(syntheticFrames(2)[1]!);
    assert.deepEqual(readdirSync(root), [], 'unlinked as soon as it was opened');
    assert.equal([...log].length, 1, 'the open descriptor still holds the data');
    log.close();
    assert.deepEqual(readdirSync(root), []);
    assert.throws(() => [...log], /closed/);
  },
);

test('a shared log keeps its file for the reader until it is discarded', () => {
  const dir = mkdtempSync(join(tmpdir(), 'unmask-frame-log-'));
  const frames = syntheticFrames(5);
  const writer = FrameLog.createIn(dir);
  for (const frame of frames) writer.append(frame);
  writer.close();
  const reader = FrameLog.open(join(dir, FRAME_LOG_FILE));
  assert.deepEqual([...reader], frames);
  reader.close();
  assert.ok(existsSync(join(dir, FRAME_LOG_FILE)), 'closing a reader keeps the file');

  const failed = FrameLog.open(join(dir, FRAME_LOG_FILE));
  failed.discard();
  assert.deepEqual(readdirSync(dir), [], 'discarding removes it');
});

test('a log cut off mid-line (a writer killed mid-write) is refused, not read short', () => {
  const dir = mkdtempSync(join(tmpdir(), 'unmask-frame-log-'));
  const path = join(dir, FRAME_LOG_FILE);
  writeFileSync(path, `${JSON.stringify(syntheticFrames(1)[0])}\n{"index":1,"time`);
  const log = FrameLog.open(path);
  try {
    assert.throws(() => [...log], /ends in a partial line/);
  } finally {
    log.discard();
  }
});
