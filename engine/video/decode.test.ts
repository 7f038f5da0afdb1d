import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { before, describe, test } from 'node:test';
import { makeFixtureVideo, VFR_FIXTURE_TIMES, type FixtureKind } from '../testing/fixtures.ts';
import { UnmaskError, type UnmaskErrorCode } from '../util/errors.ts';
import {
  countSampledFrames,
  samplingWithMinimumFrames,
  decodedFrameSize,
  streamFrames,
  type FrameSampling,
  type StreamFramesOptions,
} from './decode.ts';
import type { DecodedFrame } from './frame.ts';
import { probeVideo, type VideoProbe } from './probe.ts';

const paths = new Map<FixtureKind, string>();
const probes = new Map<FixtureKind, VideoProbe>();
const probeOf = (kind: FixtureKind): VideoProbe => probes.get(kind)!;

before(async () => {
  const kinds: FixtureKind[] = [
    'one-face',
    'portrait',
    'rotated-90',
    'odd-size',
    'vfr',
    'truncated',
    'truncated-faststart',
    'unicode-path',
    'long-720p',
  ];
  for (const kind of kinds) {
    paths.set(kind, await makeFixtureVideo(kind));
    if (kind !== 'truncated') probes.set(kind, await probeVideo(paths.get(kind)!));
  }
});

async function decode(
  kind: FixtureKind,
  sampling: FrameSampling = {},
  options: StreamFramesOptions = {},
): Promise<DecodedFrame[]> {
  const frames: DecodedFrame[] = [];
  for await (const frame of streamFrames(paths.get(kind)!, probeOf(kind), sampling, options))
    frames.push(frame);
  return frames;
}

const times = (frames: DecodedFrame[]) => frames.map((f) => f.timeSec);

function assertIncreasing(values: number[]): void {
  for (let i = 1; i < values.length; i++)
    assert.ok(values[i]! > values[i - 1]!, `not increasing at ${i}: ${values}`);
}

/** Live or zombie ffmpeg processes whose parent is this test process (Linux /proc; empty elsewhere). */
function childFfmpegPids(): number[] {
  if (process.platform !== 'linux') return [];
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const match = /^\d+ \((.*)\) \S+ (\d+)/.exec(stat);
      if (match && match[1] === 'ffmpeg' && Number(match[2]) === process.pid) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

async function expectUnmaskError(promise: Promise<unknown>, code: UnmaskErrorCode): Promise<UnmaskError> {
  const error = await promise.then(
    () => assert.fail(`expected UnmaskError ${code}`),
    (e: unknown) => e,
  );
  assert.ok(error instanceof UnmaskError, String(error));
  assert.equal(error.code, code, error.message);
  return error;
}

describe('sampling', () => {
  test('fps=5 over a 4 s 25 fps clip: 20 frames, one per 0.2 s bucket, true timestamps', async () => {
    const frames = await decode('one-face', { fps: 5 });
    assert.equal(frames.length, 20);
    assert.equal(countSampledFrames(probeOf('one-face'), { fps: 5 }), 20);
    frames.forEach((frame, k) => {
      assert.equal(frame.sampleIndex, k);
      assert.deepEqual([frame.width, frame.height, frame.data.length], [640, 360, 640 * 360 * 3]);
      assert.ok(
        frame.timeSec >= k / 5 - 1e-6 && frame.timeSec < k / 5 + 1 / 25,
        `frame ${k} at ${frame.timeSec}`,
      );
    });
    assertIncreasing(times(frames));
  });

  test('everyNth=10: frames 0, 10, 20, … at n/25 s', async () => {
    const frames = await decode('one-face', { everyNth: 10 });
    assert.equal(frames.length, 10);
    assert.equal(countSampledFrames(probeOf('one-face'), { everyNth: 10 }), 10);
    frames.forEach((frame, k) =>
      assert.ok(Math.abs(frame.timeSec - (k * 10) / 25) < 1e-3, `${frame.timeSec}`),
    );
  });

  test('maxFrames caps the count (alone and with fps)', async () => {
    assert.equal((await decode('one-face', { maxFrames: 7 })).length, 7);
    const sampled = await decode('one-face', { fps: 2, maxFrames: 3 });
    assert.deepEqual(
      times(sampled).map((t) => Math.round(t * 10) / 10),
      [0, 0.5, 1],
    );
    assert.equal(countSampledFrames(probeOf('one-face'), { fps: 2, maxFrames: 3 }), 3);
  });

  test('a short window is sampled faster so that it still gives the minimum number of frames', async () => {
    const probe = probeOf('one-face'); // 4 s at 25 fps
    assert.deepEqual(samplingWithMinimumFrames(probe, { fps: 5 }, 8), { fps: 5 });
    const oneSecond = samplingWithMinimumFrames(probe, { fps: 2, startSec: 1, endSec: 2 }, 8);
    assert.equal(oneSecond.fps, 8);
    assert.equal(countSampledFrames(probe, oneSecond), 8);
    assert.equal((await decode('one-face', oneSecond)).length, 8);
    // Never more than the source has, and everyNth is left alone.
    assert.equal(countSampledFrames(probe, samplingWithMinimumFrames(probe, { fps: 1 }, 500)), 100);
    assert.deepEqual(samplingWithMinimumFrames(probe, { everyNth: 50 }, 8), { everyNth: 50 });
  });

  test('startSec/endSec: frames in [start, end) with times from the start of the file', async () => {
    const frames = await decode('one-face', { startSec: 1, endSec: 2.5 });
    assert.equal(frames.length, 38, times(frames).join(' '));
    assert.equal(countSampledFrames(probeOf('one-face'), { startSec: 1, endSec: 2.5 }), 38);
    assert.ok(Math.abs(frames[0]!.timeSec - 1) < 1e-3, `first ${frames[0]!.timeSec}`);
    assert.ok(Math.abs(frames.at(-1)!.timeSec - 2.48) < 1e-3, `last ${frames.at(-1)!.timeSec}`);
    assertIncreasing(times(frames));

    const sampled = await decode('one-face', { startSec: 1.1, endSec: 3, fps: 2 });
    assert.deepEqual(
      times(sampled).map((t) => Math.round(t * 100) / 100),
      [1.12, 1.6, 2.12, 2.6],
    );
  });

  test('VFR: every frame keeps its real, uneven timestamp', async () => {
    const frames = await decode('vfr');
    assert.equal(frames.length, VFR_FIXTURE_TIMES.length);
    frames.forEach((frame, i) => assert.ok(Math.abs(frame.timeSec - VFR_FIXTURE_TIMES[i]!) < 1e-3, `${i}`));
    const gaps = new Set(
      times(frames)
        .slice(1)
        .map((t, i) => Math.round((t - frames[i]!.timeSec) * 1000)),
    );
    assert.deepEqual(
      [...gaps].sort((a, b) => a - b),
      [33, 67, 100],
    );
  });

  test('VFR with fps=5: one frame per 0.2 s bucket, each a real source frame', async () => {
    const frames = await decode('vfr', { fps: 5 });
    assert.equal(frames.length, 15);
    frames.forEach((frame, k) => {
      assert.ok(
        frame.timeSec >= k / 5 - 1e-6 && frame.timeSec < k / 5 + 0.1,
        `frame ${k} at ${frame.timeSec}`,
      );
      assert.ok(VFR_FIXTURE_TIMES.some((t) => Math.abs(t - frame.timeSec) < 1e-3));
    });
  });

  test('intact clips decode without a single reported decode error', async () => {
    for (const kind of ['one-face', 'rotated-90', 'odd-size', 'vfr', 'long-720p'] as const) {
      const errors: string[] = [];
      await decode(kind, { fps: 5 }, { onDecodeError: (message) => errors.push(message) });
      assert.deepEqual(errors, [], kind);
    }
  });

  test('countSampledFrames without sampling is the frame count', () => {
    assert.equal(countSampledFrames(probeOf('one-face')), 100);
    assert.equal(countSampledFrames(probeOf('vfr')), 55);
  });

  test('bad sampling is a usage error', async () => {
    const probe = probeOf('one-face');
    const bad: FrameSampling[] = [
      { fps: 5, everyNth: 2 },
      { fps: 0 },
      { everyNth: 1.5 },
      { maxFrames: 0 },
      { startSec: -1 },
      { startSec: 2, endSec: 2 },
    ];
    for (const sampling of bad) {
      assert.throws(
        () => countSampledFrames(probe, sampling),
        (e: unknown) => (e as UnmaskError).code === 'usage',
      );
      await expectUnmaskError(decode('one-face', sampling), 'usage');
    }
    await expectUnmaskError(decode('one-face', {}, { maxWidth: 1 }), 'usage');
  });
});

describe('frame geometry', () => {
  /** Mean absolute difference of two same-sized RGB frames. */
  function mad(a: Uint8Array, b: Uint8Array): number {
    let sum = 0;
    for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
    return sum / a.length;
  }

  /** The frame turned by 180°. */
  function turned(frame: DecodedFrame): Uint8Array {
    const out = new Uint8Array(frame.data.length);
    const pixels = frame.width * frame.height;
    for (let p = 0; p < pixels; p++) out.set(frame.data.subarray(p * 3, p * 3 + 3), (pixels - 1 - p) * 3);
    return out;
  }

  test('rotated-90 comes out upright: portrait size and the same picture as the upright clip', async () => {
    const [rotated] = await decode('rotated-90', { startSec: 1, maxFrames: 1 });
    const [upright] = await decode('portrait', { startSec: 1, maxFrames: 1 });
    assert.ok(rotated && upright);
    assert.deepEqual([rotated.width, rotated.height], [360, 640]);
    assert.ok(Math.abs(rotated.timeSec - upright.timeSec) < 1e-3);
    const same = mad(rotated.data, upright.data);
    assert.ok(same < 6, `upright frames differ by ${same}`);
    assert.ok(mad(rotated.data, turned(upright)) > 4 * same, 'a wrongly turned frame would differ a lot');
  });

  test('odd sizes decode unscaled with the exact byte length', async () => {
    const frames = await decode('odd-size', { maxFrames: 3 });
    assert.equal(frames.length, 3);
    for (const f of frames) assert.deepEqual([f.width, f.height, f.data.length], [321, 241, 321 * 241 * 3]);
  });

  test('maxWidth downscales keeping aspect with even sizes, also for portrait', async () => {
    const [small] = await decode('one-face', { maxFrames: 1 }, { maxWidth: 333 });
    assert.deepEqual([small!.width, small!.height, small!.data.length], [332, 186, 332 * 186 * 3]);
    const [portrait] = await decode('portrait', { maxFrames: 1 }, { maxWidth: 180 });
    assert.deepEqual([portrait!.width, portrait!.height], [180, 320]);
    const [odd] = await decode('odd-size', { maxFrames: 1 }, { maxWidth: 160 });
    assert.deepEqual([odd!.width, odd!.height], [160, 120]);
    const [unscaled] = await decode('one-face', { maxFrames: 1 }, { maxWidth: 4000 });
    assert.deepEqual([unscaled!.width, unscaled!.height], [640, 360]);
  });

  test('frames are capped at 1920 on the longer side by default', () => {
    const base = probeOf('one-face');
    const sized = (w: number, h: number, rotation: 0 | 90 = 0): VideoProbe => ({
      ...base,
      video: {
        ...base.video,
        codedWidth: w,
        codedHeight: h,
        rotation,
        displayWidth: rotation ? h : w,
        displayHeight: rotation ? w : h,
      },
    });
    assert.deepEqual(decodedFrameSize(sized(3840, 2160)), { width: 1920, height: 1080 });
    assert.deepEqual(decodedFrameSize(sized(3840, 2160, 90)), { width: 1080, height: 1920 });
    assert.deepEqual(decodedFrameSize(sized(1920, 1080), 960), { width: 960, height: 540 });
    assert.deepEqual(decodedFrameSize(sized(1280, 720)), { width: 1280, height: 720 });
  });

  test('paths with spaces and unicode decode', async () => {
    const frames = await decode('unicode-path', { maxFrames: 2 });
    assert.equal(frames.length, 2);
  });
});

describe('process lifecycle', () => {
  test('stopping early (return) kills ffmpeg and reaps it', async () => {
    const frames = streamFrames(paths.get('long-720p')!, probeOf('long-720p'));
    let seen = 0;
    for await (const frame of frames) {
      assert.equal(frame.data.length, 1280 * 720 * 3);
      if (++seen === 1) assert.equal(childFfmpegPids().length, 1, 'ffmpeg runs while frames stream');
      if (seen === 3) break;
    }
    assert.deepEqual(childFfmpegPids(), []);
  });

  test('an abort signal stops decoding with UnmaskError(cancelled), also while waiting for a frame', async () => {
    const controller = new AbortController();
    const iterator = streamFrames(
      paths.get('long-720p')!,
      probeOf('long-720p'),
      {},
      { signal: controller.signal },
    );
    assert.equal((await iterator.next()).done, false);
    const pending = iterator.next();
    controller.abort();
    // The pending frame may already have been complete; the one after it cannot be.
    const error = await (async () => {
      try {
        await pending;
        await iterator.next();
      } catch (e) {
        return e;
      }
    })();
    assert.ok(error instanceof UnmaskError && error.code === 'cancelled', String(error));
    assert.deepEqual(childFfmpegPids(), []);

    const preAborted = AbortSignal.abort();
    await expectUnmaskError(decode('one-face', {}, { signal: preAborted }), 'cancelled');
    assert.deepEqual(childFfmpegPids(), []);
  });

  test(
    'a truncated MP4 yields what it can, then raises inputTruncated instead of hanging',
    { timeout: 20_000 },
    async () => {
      const frames: DecodedFrame[] = [];
      const error = await expectUnmaskError(
        (async () => {
          for await (const frame of streamFrames(
            paths.get('truncated-faststart')!,
            probeOf('truncated-faststart'),
          )) {
            frames.push(frame);
          }
        })(),
        'inputTruncated',
      );
      assert.match(error.message, /partial file|Invalid data/);
      assert.ok(frames.length > 0 && frames.length < 100, `${frames.length} frames`);
      assert.deepEqual(childFfmpegPids(), []);
    },
  );

  test('a file without its moov atom fails at once with inputTruncated', { timeout: 20_000 }, async () => {
    const generator = streamFrames(paths.get('truncated')!, probeOf('one-face'));
    const error = await expectUnmaskError(generator.next(), 'inputTruncated');
    assert.match(error.message, /moov atom not found/);
    assert.deepEqual(childFfmpegPids(), []);
  });

  test('a file deleted before ffmpeg opens it fails with inputNotFound, not as damaged', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'unmask-decode-'));
    const gone = join(dir, 'gone.mp4');
    copyFileSync(paths.get('one-face')!, gone);
    const probe = await probeVideo(gone);
    rmSync(gone);
    const error = await expectUnmaskError(streamFrames(gone, probe).next(), 'inputNotFound');
    assert.match(error.message, /was deleted or moved while it was being decoded/);
  });

  test('memory stays bounded when the consumer is slow', { timeout: 30_000 }, async () => {
    // 200 frames of 1280×720 RGB are 553 MB; unbounded buffering would read them all during the pause.
    global.gc?.();
    const before = process.memoryUsage();
    let count = 0;
    let peak = 0;
    for await (const frame of streamFrames(paths.get('long-720p')!, probeOf('long-720p'))) {
      count++;
      if (count <= 3) await sleep(500);
      if (count % 20 === 0 || count <= 3) {
        const now = process.memoryUsage();
        peak = Math.max(peak, now.rss - before.rss, now.arrayBuffers - before.arrayBuffers);
      }
      assert.equal(frame.data.length, 1280 * 720 * 3);
    }
    assert.equal(count, 200);
    assert.ok(peak < 150 * 1024 * 1024, `memory grew by ${(peak / 1048576).toFixed(0)} MB`);
  });
});
