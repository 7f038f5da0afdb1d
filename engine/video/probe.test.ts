import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { GRACE_HOPPER_JPG, makeFixtureVideo, type FixtureKind } from '../testing/fixtures.ts';
import { EXIT_CODES, UnmaskError, type UnmaskErrorCode } from '../util/errors.ts';
import { probeVideo } from './probe.ts';

const paths = new Map<FixtureKind, string>();
const fixture = (kind: FixtureKind): string => paths.get(kind)!;

before(async () => {
  const kinds: FixtureKind[] = [
    'one-face',
    'rotated-90',
    'portrait',
    'odd-size',
    'vfr',
    'with-audio',
    'audio-only',
    'text-as-mp4',
    'truncated',
    'still-image',
    '8k-frame',
    'zero-byte',
    'unicode-path',
  ];
  for (const kind of kinds) paths.set(kind, await makeFixtureVideo(kind));
});

describe('probeVideo on good input', () => {
  test('one-face: container, stream and tags', async () => {
    const probe = await probeVideo(fixture('one-face'));
    assert.equal(probe.path, fixture('one-face'));
    assert.ok(probe.formatNames.includes('mp4'), probe.formatNames.join(','));
    assert.ok(probe.formatNames.includes('mov'));
    assert.match(probe.formatLongName, /QuickTime/);
    assert.ok(Math.abs(probe.durationSec - 4) <= 0.1, `duration ${probe.durationSec}`);
    assert.equal(probe.sizeBytes, (await stat(fixture('one-face'))).size);
    assert.ok(probe.bitRate !== null && probe.bitRate > 0);

    const v = probe.video;
    assert.equal(v.index, 0);
    assert.equal(v.codec, 'h264');
    assert.equal(typeof v.profile, 'string');
    assert.equal(v.pixFmt, 'yuv420p');
    assert.deepEqual(
      [v.codedWidth, v.codedHeight, v.displayWidth, v.displayHeight, v.rotation],
      [640, 360, 640, 360, 0],
    );
    assert.equal(v.sampleAspectRatio, '1:1');
    assert.equal(v.avgFps, 25);
    assert.equal(v.rFrameRate, 25);
    assert.equal(v.nbFrames, 100);
    assert.ok(v.bitRate !== null && v.bitRate > 0 && v.bitRate <= probe.bitRate!, 'the stream bit rate');
    assert.equal(v.variableFrameRate, false);
    assert.ok(v.durationSec !== null && Math.abs(v.durationSec - 4) <= 0.1);
    assert.equal(probe.audio, null);

    assert.match(probe.tags['encoder'] ?? '', /^Lavf/);
    assert.equal(probe.tags['comment'], 'unmask fixture: one-face');
    assert.match(probe.tags['creation_time'] ?? '', /^2024-01-02T03:04:05/);
    assert.equal(probe.tags['ai_generated'], 'false', 'custom container tags are kept verbatim');
    assert.equal(v.tags['handler_name'], 'VideoHandler');
  });

  test('rotated-90: rotation from the display matrix, display size swapped', async () => {
    const v = (await probeVideo(fixture('rotated-90'))).video;
    assert.equal(v.rotation, 90);
    assert.deepEqual([v.codedWidth, v.codedHeight], [640, 360]);
    assert.deepEqual([v.displayWidth, v.displayHeight], [360, 640]);
  });

  test('portrait is stored upright', async () => {
    const v = (await probeVideo(fixture('portrait'))).video;
    assert.deepEqual([v.rotation, v.displayWidth, v.displayHeight], [0, 360, 640]);
  });

  test('odd-size keeps its odd dimensions and 4:4:4 pixel format', async () => {
    const v = (await probeVideo(fixture('odd-size'))).video;
    assert.deepEqual([v.codedWidth, v.codedHeight, v.pixFmt], [321, 241, 'yuv444p']);
    assert.match(v.profile ?? '', /4:4:4/);
  });

  test('vfr: average and real frame rates differ, so it is flagged variable', async () => {
    const v = (await probeVideo(fixture('vfr'))).video;
    assert.equal(v.rFrameRate, 30);
    assert.ok(v.avgFps !== null && Math.abs(v.avgFps - 55 / 2.967) < 0.3, `avgFps ${v.avgFps}`);
    assert.equal(v.nbFrames, 55);
    assert.equal(v.variableFrameRate, true);
  });

  test('with-audio reports the audio stream', async () => {
    const probe = await probeVideo(fixture('with-audio'));
    assert.deepEqual(
      probe.audio && [probe.audio.index, probe.audio.codec, probe.audio.sampleRate, probe.audio.channels],
      [1, 'aac', 48000, 2],
    );
    assert.equal(probe.video.codec, 'h264');
  });

  test('paths with spaces and unicode work, relative paths are resolved', async () => {
    const probe = await probeVideo(fixture('unicode-path'));
    assert.match(probe.path, /ünïcode dir\/clip with spaces ✓\.mp4$/);
    assert.equal(probe.video.nbFrames, 100);

    const cwd = process.cwd();
    process.chdir(join(fixture('unicode-path'), '..'));
    try {
      const relative = await probeVideo(basename(fixture('unicode-path')));
      assert.equal(relative.path, fixture('unicode-path'));
    } finally {
      process.chdir(cwd);
    }
  });
});

describe('probeVideo rejects unusable input with a distinct code', () => {
  let scratch: string;
  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'unmask-probe-'));
  });
  after(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  async function rejects(path: string, code: UnmaskErrorCode, message?: RegExp): Promise<UnmaskError> {
    const error = await probeVideo(path).then(
      () => assert.fail(`${path} should have been rejected with ${code}`),
      (e: unknown) => e,
    );
    assert.ok(error instanceof UnmaskError, String(error));
    assert.equal(error.code, code, error.message);
    assert.equal(error.exitCode, EXIT_CODES[code]);
    assert.ok(!error.message.includes('\n'), `one line: ${error.message}`);
    if (path) assert.ok(error.message.includes(basename(path)), `names the file: ${error.message}`);
    if (message) assert.match(error.message, message);
    return error;
  }

  test('missing file and empty path', async () => {
    await rejects(join(scratch, 'no such clip.mp4'), 'inputNotFound', /does not exist/);
    await rejects('', 'inputNotFound');
  });

  test('a directory', async () => {
    await rejects(scratch, 'inputIsDirectory', /directory/);
  });

  test('a zero-byte file', async () => {
    await rejects(fixture('zero-byte'), 'inputEmpty', /empty/);
  });

  test('a text file renamed .mp4 is not media (although ffprobe also says "moov atom not found")', async () => {
    await rejects(fixture('text-as-mp4'), 'inputNotMedia', /not a video/);
  });

  test('an MP4 cut short (no moov atom) is truncated', async () => {
    await rejects(fixture('truncated'), 'inputTruncated', /truncated.*moov atom not found/);
  });

  test('audio only', async () => {
    await rejects(fixture('audio-only'), 'inputNoVideoStream', /only audio \(aac\)/);
  });

  test('still images: PNG and JPEG', async () => {
    await rejects(fixture('still-image'), 'inputIsStillImage', /still image \(png\)/);
    await rejects(GRACE_HOPPER_JPG, 'inputIsStillImage', /still image/);
  });

  test('an 8K frame is too large; the message gives the size and the limit', async () => {
    await rejects(fixture('8k-frame'), 'inputTooLarge', /7680×4320.*4096/);
  });
});
