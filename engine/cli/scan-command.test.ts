import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodePng } from '../imaging/png.ts';
import { parseScanResult, type ScanResult } from '../scan/scan-result.ts';
import { makeBlendedFixtureVideo } from '../testing/blended-fixture.ts';
import { makeFixtureVideo, type FixtureKind } from '../testing/fixtures.ts';
import { runUnmask } from '../testing/run-cli.ts';
import { EXIT_CODES } from '../util/errors.ts';

async function scan(kind: FixtureKind, extra: string[] = []): Promise<ScanResult> {
  const video = await makeFixtureVideo(kind);
  const dir = await mkdtemp(join(tmpdir(), 'unmask-scan-'));
  const out = join(dir, 'scan.json');
  const result = runUnmask(['scan', video, '--out', out, ...extra]);
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stderr.includes('    at '), false, 'no stack trace');
  return parseScanResult(JSON.parse(await readFile(out, 'utf8')));
}

test('one-face fixture: a face in ≥ 95 % of sampled frames, one stable track, valid versioned JSON', async () => {
  const result = await scan('one-face', ['--fps', '5']);
  assert.equal(result.format, 'unmask.scan');
  assert.equal(result.formatVersion, 2);
  assert.match(result.input.sha256, /^[0-9a-f]{64}$/);
  assert.ok(
    result.frames.length >= 19 && result.frames.length <= 21,
    `${result.frames.length} frames at 5 fps over 4 s`,
  );
  const withFace = result.frames.filter((f) => f.faces.length === 1).length;
  assert.ok(
    withFace / result.frames.length >= 0.95,
    `${withFace}/${result.frames.length} frames with a face`,
  );
  assert.equal(result.tracks.length, 1, 'one person, one track id');
  assert.ok(result.frames.every((f) => f.faces.every((face) => face.trackId === result.tracks[0]!.id)));
  const face = result.frames[0]!.faces[0]!;
  assert.equal(face.landmarks.length, 468);
  assert.ok(face.box.x >= 0 && face.box.x + face.box.width <= 640 + 1, 'box inside the 640-wide frame');
  for (let i = 1; i < result.frames.length; i++)
    assert.ok(result.frames[i]!.timeSec > result.frames[i - 1]!.timeSec);
  assert.equal((result.probe as { video: { displayWidth: number } }).video.displayWidth, 640);
  for (const frame of result.frames) {
    for (const f of frame.faces) {
      assert.equal(f.manipulation.status, 'scored');
      assert.ok(f.manipulation.probability! >= 0 && f.manipulation.probability! <= 1);
    }
  }
  const track = result.tracks[0]!;
  assert.ok(track.score !== null && track.score >= 0 && track.score <= 1);
  assert.equal(track.decisive, true);
  assert.equal(track.smoothed.length, track.scoredFrames);
  assert.ok(
    ['likely-manipulated', 'inconclusive', 'no-manipulation-detected'].includes(result.verdict.label),
  );
  assert.equal(result.verdict.decidingTrackId, track.id);
  assert.ok(result.engine.models.some((m) => m.name.startsWith('unmask-sbi-detector')));
});

test('faces under the minimum size are reported as too small and never scored', async () => {
  const result = await scan('one-face', ['--max-frames', '4', '--min-face', '5000', '--no-landmarks']);
  const faces = result.frames.flatMap((f) => f.faces);
  assert.ok(faces.length >= 3);
  assert.ok(faces.every((f) => f.manipulation.status === 'too-small' && f.manipulation.probability === null));
  assert.equal(result.verdict.label, 'not-enough-evidence');
  assert.equal(result.verdict.score, null);
});

test('two faces side by side get two distinct stable tracks', async () => {
  const result = await scan('two-faces', ['--fps', '4', '--no-landmarks']);
  assert.equal(result.tracks.length, 2);
  for (const frame of result.frames) {
    assert.equal(frame.faces.length, 2);
    const [left, right] = frame.faces.slice().sort((a, b) => a.box.x - b.box.x);
    assert.notEqual(left!.trackId, right!.trackId);
    assert.equal(left!.landmarks.length, 0);
  }
  const leftIds = new Set(
    result.frames.map((f) => f.faces.slice().sort((a, b) => a.box.x - b.box.x)[0]!.trackId),
  );
  assert.equal(leftIds.size, 1, 'the left person keeps one id through the clip');
});

test('a rotated clip is scanned upright, in display coordinates', async () => {
  const result = await scan('rotated-90', ['--max-frames', '5']);
  const video = (result.probe as { video: { rotation: number; displayWidth: number; displayHeight: number } })
    .video;
  assert.equal(video.rotation, 90);
  assert.ok(video.displayHeight > video.displayWidth, 'portrait after rotation');
  const face = result.frames[0]!.faces[0]!;
  assert.ok(face.box.y + face.box.height <= video.displayHeight + 1);
  assert.ok(Math.abs(face.pose?.roll ?? 0) < 0.5, 'the face is upright once rotation is honoured');
});

test('a video without faces is not an error', async () => {
  const result = await scan('no-faces');
  assert.equal(result.summary.noFacesFound, true);
  assert.match(result.summary.message, /No faces found/);
  assert.equal(result.tracks.length, 0);
});

test('a path with spaces and unicode scans', async () => {
  const result = await scan('unicode-path', ['--max-frames', '3']);
  assert.match(result.input.fileName, /clip with spaces ✓\.mp4$/);
  assert.equal(result.frames.length, 3);
});

const badInputs: Array<[string, () => Promise<string>, number]> = [
  ['a missing path', async () => join(tmpdir(), 'does-not-exist.mp4'), EXIT_CODES.inputNotFound],
  ['a directory', async () => tmpdir(), EXIT_CODES.inputIsDirectory],
  ['a zero-byte file', () => makeFixtureVideo('zero-byte'), EXIT_CODES.inputEmpty],
  ['a text file renamed .mp4', () => makeFixtureVideo('text-as-mp4'), EXIT_CODES.inputNotMedia],
  ['a truncated mp4', () => makeFixtureVideo('truncated'), EXIT_CODES.inputTruncated],
  ['a truncated fast-start mp4', () => makeFixtureVideo('truncated-faststart'), EXIT_CODES.inputTruncated],
  ['audio only', () => makeFixtureVideo('audio-only'), EXIT_CODES.inputNoVideoStream],
  ['a still image', () => makeFixtureVideo('still-image'), EXIT_CODES.inputIsStillImage],
  ['an 8K frame', () => makeFixtureVideo('8k-frame'), EXIT_CODES.inputTooLarge],
];

for (const [name, input, exitCode] of badInputs) {
  test(`bad input: ${name} → one-line error, exit ${exitCode}, no output file`, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'unmask-bad-'));
    const out = join(dir, 'scan.json');
    const result = runUnmask(['scan', await input(), '--out', out]);
    assert.equal(result.status, exitCode, result.stderr);
    const lines = result.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `one line, got: ${result.stderr}`);
    assert.match(lines[0]!, /^unmask: /);
    assert.equal(existsSync(out), false);
    assert.deepEqual(await readdir(dir), [], 'no partial or temporary file left');
  });
}

test('distinct bad inputs have distinct exit codes', () => {
  assert.equal(
    new Set(badInputs.map(([, , code]) => code)).size,
    badInputs.length - 1,
    'only the two truncated kinds share one',
  );
});

test('bad flags are a usage error', () => {
  const result = runUnmask(['scan', 'x.mp4', '--fps', '-3']);
  assert.equal(result.status, EXIT_CODES.usage);
});

test('--heatmaps saves crop | map pictures from the one renderer, with the map range in each name', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'unmask-heatmaps-'));
  const video = await makeBlendedFixtureVideo();
  const result = runUnmask([
    'scan',
    video,
    '--max-frames',
    '3',
    '--no-save',
    '--heatmaps',
    dir,
    '--out',
    join(dir, 's.json'),
  ]);
  assert.equal(result.status, 0, result.stderr);
  const names = (await readdir(dir)).filter((n) => n.endsWith('.png'));
  assert.equal(names.length, 3, names.join(', '));
  for (const name of names) {
    assert.match(name, /^track-1-\d+\.\d\ds-p\d+-map\d\.\d\d-\d\.\d\d\.png$/);
    const picture = decodePng(await readFile(join(dir, name)));
    assert.deepEqual(
      [picture.width, picture.height],
      [256 * 2 + 4, 256 + 4 + 10],
      'crop | overlay, colour bar',
    );
  }
});
