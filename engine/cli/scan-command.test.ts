import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { copyFile, link, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodePng } from '../imaging/png.ts';
import { parseScanResult, type ScanResult } from '../scan/scan-result.ts';
import { openCaseStore } from '../store/case-store.ts';
import { makeBlendedFixtureVideo } from '../testing/blended-fixture.ts';
import { makeFixtureVideo, type FixtureKind } from '../testing/fixtures.ts';
import { runUnmask, startUnmask } from '../testing/run-cli.ts';
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
  assert.equal(result.damage, undefined, 'an intact file has no damage record');
  const ffmpeg = result.engine.ffmpeg;
  assert.ok(ffmpeg.choice, 'the scan records why this ffmpeg was used');
  const old = Number(ffmpeg.libavcodec?.split('.')[0] ?? 0) < 59;
  assert.equal(ffmpeg.warning !== undefined, old, `libavcodec ${ffmpeg.libavcodec}: warned only if old`);
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

test('scan refuses to write its JSON over the video it scans, by path or through a hard link', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'unmask-scan-'));
  const video = join(dir, 'evidence.mp4');
  await copyFile(await makeFixtureVideo('one-face'), video);
  await link(video, join(dir, 'evidence-link.mp4'));
  const before = await readFile(video);
  for (const out of [video, join(dir, 'evidence-link.mp4')]) {
    const result = runUnmask(['scan', video, '--out', out, '--max-frames', '2']);
    assert.equal(result.status, EXIT_CODES.usage, result.stderr);
    assert.match(result.stderr, /would overwrite the video/);
  }
  assert.deepEqual(await readFile(video), before, 'the evidence is untouched');
});

test('a file damaged mid-way is scanned where it decodes, with the errors and missing time ranges named', async () => {
  const video = await makeFixtureVideo('damaged-middle');
  const dir = await mkdtemp(join(tmpdir(), 'unmask-scan-'));
  const out = join(dir, 'scan.json');
  const result = runUnmask(['scan', video, '--out', out, '--fps', '2', '--no-save']);
  assert.equal(result.status, 0, result.stderr);
  assert.match(
    result.stderr,
    /The file is damaged: ffmpeg reported \d+ decode errors and no frame could be decoded from/,
  );
  const scan = parseScanResult(JSON.parse(await readFile(out, 'utf8')));
  const damage = scan.damage!;
  assert.ok(damage.decodeErrors > 0);
  assert.ok(damage.firstErrors.length > 0);
  assert.equal(damage.missing.length, 1, JSON.stringify(damage.missing));
  const [hole] = damage.missing;
  assert.ok(hole!.fromSec > 3 && hole!.toSec < 12 && hole!.toSec - hole!.fromSec > 1, JSON.stringify(hole));
  assert.ok(
    scan.frames.every((f) => f.timeSec <= hole!.fromSec || f.timeSec >= hole!.toSec),
    'no sampled frame inside the hole',
  );
  assert.equal(scan.verdict.caveats[0], damage.caveat, 'the first caveat of the verdict');
  assert.ok(scan.frames.at(-1)!.timeSec > 14, 'frames after the damage are still analysed');
});

/** True once an ffmpeg process has `path` open, i.e. is decoding it (Linux /proc). */
function ffmpegReads(path: string): boolean {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (!argv[0]!.endsWith('ffmpeg') || !argv.includes(path)) continue;
      const fds = readdirSync(`/proc/${entry}/fd`);
      if (fds.some((fd) => readlinkSync(`/proc/${entry}/fd/${fd}`) === path)) return true;
    } catch {
      // the process ended while we looked
    }
  }
  return false;
}

test(
  'a video deleted while it is scanned fails the scan: no JSON, no case (the rule the app uses)',
  { skip: process.platform !== 'linux' && 'watches ffmpeg through /proc' },
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'unmask-scan-'));
    const video = join(dir, 'evidence.mp4');
    await copyFile(await makeFixtureVideo('long-one-face'), video);
    const dataDir = join(dir, 'cases');
    const out = join(dir, 'scan.json');
    const cli = startUnmask(['scan', video, '--out', out, '--fps', '2', '--data-dir', dataDir]);
    const deadline = Date.now() + 120_000;
    while (!ffmpegReads(video) && Date.now() < deadline) await sleep(50);
    await rm(video);
    assert.equal(await cli.exited, EXIT_CODES.inputNotFound, cli.stderr());
    assert.match(cli.stderr(), /evidence\.mp4 was deleted, moved or replaced while it was being scanned/);
    assert.equal(existsSync(out), false, 'no scan JSON');
    const store = openCaseStore(dataDir);
    try {
      assert.deepEqual(store.listCases(), [], 'no case');
    } finally {
      store.close();
    }
  },
);

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
