/**
 * Test helper: builds small fixture videos (and deliberately broken inputs) with the resolved ffmpeg binary.
 * Files are cached under `os.tmpdir()/unmask-fixtures/<recipe version>/` and reused; each one is written under
 * a temporary name and renamed into place, so concurrent test processes never see half-written files.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { resolveFfmpeg } from '../runtime/ffmpeg.ts';

const execFileAsync = promisify(execFile);

export const FIXTURE_KINDS = [
  'one-face',
  'long-one-face',
  'two-faces',
  'rotated-90',
  'portrait',
  'odd-size',
  'vfr',
  'with-audio',
  'no-faces',
  'audio-only',
  'text-as-mp4',
  'truncated',
  'truncated-faststart',
  'damaged-middle',
  'still-image',
  '8k-frame',
  'zero-byte',
  'unicode-path',
  'long-720p',
] as const;

/**
 * - one-face: Grace Hopper, 4 s at 25 fps, 640×360, h264 yuv420p, slowly panning; carries comment,
 *   creation_time and a custom `ai_generated` container tag.
 * - two-faces: Grace Hopper and Eileen Collins side by side, 640×320, 3 s at 25 fps.
 * - portrait: Grace Hopper, 360×640, 3 s at 25 fps, panning.
 * - rotated-90: the portrait clip stored sideways (640×360) with a 90° clockwise display rotation.
 * - odd-size: 321×241, h264 yuv444p (4:4:4 has no even-size constraint), 2 s at 25 fps.
 * - vfr: testsrc 320×240; 1 s at 30 fps, 1 s at 10 fps, 1 s at 15 fps (55 frames, see VFR_FIXTURE_TIMES).
 * - with-audio: one-face plus a 440 Hz stereo AAC track at 48 kHz.
 * - no-faces: testsrc 320×240, 2 s at 25 fps.
 * - audio-only: 2 s of 440 Hz AAC in .m4a.
 * - text-as-mp4: a text file named .mp4.
 * - truncated: one-face (moov atom at the end) cut to 40 % of its bytes: no moov, ffprobe fails.
 * - truncated-faststart: one-face with the moov atom first, cut to 70 %: probes fine, decoding runs out of data.
 * - damaged-middle: the panning face over 15 s with 100 KB in the middle overwritten by pseudo-random bytes:
 *   probes and decodes to the end, but ffmpeg reports errors and about 3 s of frames cannot be decoded.
 * - still-image: a copy of astronaut.png.
 * - 8k-frame: a single 7680×4320 gray frame, h264.
 * - zero-byte: an empty .mp4.
 * - unicode-path: one-face copied to `…/ünïcode dir/clip with spaces ✓.mp4`.
 * - long-one-face: the one-face pan over 24 s (600 frames): a scan that is still running when a test interrupts it.
 * - long-720p: a still test pattern, 1280×720, 20 s at 10 fps (200 frames), for memory checks.
 */
export type FixtureKind = (typeof FIXTURE_KINDS)[number];

export interface FixtureOptions {
  /** Cache folder; defaults to `os.tmpdir()/unmask-fixtures/<recipe version>`. */
  cacheDir?: string;
  /** Rebuild even if a cached file exists (once per process and kind). */
  rebuild?: boolean;
}

/** Bump when a recipe changes so stale cached files are not reused. */
const RECIPE_VERSION = 'v1';

/** Presentation times of the 'vfr' fixture's frames, in seconds (frame n of a 30 fps source, thinned). */
export const VFR_FIXTURE_TIMES: readonly number[] = Array.from({ length: 90 }, (_, n) => n)
  .filter((n) => n < 30 || (n < 60 ? n % 3 === 0 : n % 2 === 0))
  .map((n) => n / 30);

const IMAGES_DIR = fileURLToPath(new URL('../../test/fixtures/', import.meta.url));
export const GRACE_HOPPER_JPG = join(IMAGES_DIR, 'grace_hopper_512x512.jpg');
export const ASTRONAUT_PNG = join(IMAGES_DIR, 'astronaut.png');

const FILE_NAMES: Record<FixtureKind, string> = {
  'one-face': 'one-face.mp4',
  'long-one-face': 'long-one-face.mp4',
  'two-faces': 'two-faces.mp4',
  'rotated-90': 'rotated-90.mp4',
  portrait: 'portrait.mp4',
  'odd-size': 'odd-size.mp4',
  vfr: 'vfr.mp4',
  'with-audio': 'with-audio.mp4',
  'no-faces': 'no-faces.mp4',
  'audio-only': 'audio-only.m4a',
  'text-as-mp4': 'text-as-mp4.mp4',
  truncated: 'truncated.mp4',
  'truncated-faststart': 'truncated-faststart.mp4',
  'damaged-middle': 'damaged-middle.mp4',
  'still-image': 'still-image.png',
  '8k-frame': '8k-frame.mp4',
  'zero-byte': 'zero-byte.mp4',
  'unicode-path': join('ünïcode dir', 'clip with spaces ✓.mp4'),
  'long-720p': 'long-720p.mp4',
};

const X264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'];
/** Flags shared by every fixture command. */
const QUIET = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y'];

const pending = new Map<string, Promise<string>>();

export function defaultFixtureDir(): string {
  return join(tmpdir(), 'unmask-fixtures', RECIPE_VERSION);
}

/** Returns the path of the fixture file of the given kind, building it first if it is not cached. */
export function makeFixtureVideo(kind: FixtureKind, options: FixtureOptions = {}): Promise<string> {
  const dir = options.cacheDir ?? defaultFixtureDir();
  const target = join(dir, FILE_NAMES[kind]);
  const key = `${target}\0${options.rebuild ? 'rebuild' : ''}`;
  let promise = pending.get(key);
  if (!promise) {
    promise = ensureFixture(kind, dir, target, options.rebuild ?? false);
    pending.set(key, promise);
    promise.catch(() => pending.delete(key));
  }
  return promise;
}

async function ensureFixture(
  kind: FixtureKind,
  dir: string,
  target: string,
  rebuild: boolean,
): Promise<string> {
  if (!rebuild && (await isFile(target))) return target;
  await mkdir(dirname(target), { recursive: true });
  const temp = join(
    dirname(target),
    `.tmp-${process.pid}-${randomBytes(4).toString('hex')}${extname(target)}`,
  );
  try {
    await build(kind, temp, { cacheDir: dir });
    await rename(temp, target);
  } finally {
    await rm(temp, { force: true });
  }
  return target;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function ffmpeg(args: string[]): Promise<void> {
  const bin = resolveFfmpeg().ffmpeg.path;
  try {
    await execFileAsync(bin, [...QUIET, ...args], { maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`fixture ffmpeg failed: ffmpeg ${args.join(' ')}\n${stderr.trim()}`, { cause: error });
  }
}

/** Clockwise display rotation as ffprobe reports it (display matrix side data, else the legacy tag). */
async function probeRotation(path: string): Promise<number> {
  const bin = resolveFfmpeg().ffprobe.path;
  const { stdout } = await execFileAsync(bin, [
    '-v',
    'error',
    '-select_streams',
    'v:0',
    '-show_streams',
    '-of',
    'json',
    path,
  ]);
  const stream = (
    JSON.parse(stdout) as {
      streams: Array<{ side_data_list?: Array<{ rotation?: number }>; tags?: { rotate?: string } }>;
    }
  ).streams[0];
  const matrix = stream?.side_data_list?.find((s) => typeof s.rotation === 'number')?.rotation;
  const clockwise = matrix !== undefined ? -matrix : Number(stream?.tags?.rotate ?? 0);
  return ((clockwise % 360) + 360) % 360;
}

/** Overwrites `length` bytes from the middle of the file with a fixed pseudo-random pattern. */
async function damageMiddle(path: string, length: number): Promise<void> {
  const bytes = await readFile(path);
  const start = Math.floor((bytes.length - length) / 2);
  let state = 0x2f6b_1d37;
  for (let i = start; i < start + length; i++) {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    bytes[i] = state >>> 24;
  }
  await writeFile(path, bytes);
}

async function truncateCopy(source: string, out: string, fraction: number): Promise<void> {
  const bytes = await readFile(source);
  await writeFile(out, bytes.subarray(0, Math.floor(bytes.length * fraction)));
}

/** Repeats the single input frame to `frames` frames at 25 fps (decoding and scaling the image only once). */
function repeat(frames: number): string {
  return `loop=loop=${frames - 1}:size=1:start=0,setpts=N/25/TB`;
}

function cropPan(portrait: boolean): string {
  return portrait
    ? "crop=360:640:x='18+16*sin(2*PI*t/3)':y='32+30*sin(2*PI*t/4)'"
    : "crop=640:360:x='32+30*sin(2*PI*t/4)':y='18+16*sin(2*PI*t/3)'";
}

/** Grace Hopper on a 16:9 (or 9:16) canvas, slowly panning, 25 fps. */
function panningFace(out: string, seconds: number, portrait: boolean, extra: string[] = []): string[] {
  const canvas = portrait
    ? 'pad=512:910:0:(oh-ih)/2:color=0x404040,scale=396:704'
    : 'pad=910:512:(ow-iw)/2:0:color=0x404040,scale=704:396';
  return [
    ...['-i', GRACE_HOPPER_JPG],
    ...['-vf', `${canvas},setsar=1,${repeat(seconds * 25)},${cropPan(portrait)},format=yuv420p`],
    ...X264,
    ...extra,
    out,
  ];
}

async function build(kind: FixtureKind, out: string, options: FixtureOptions): Promise<void> {
  switch (kind) {
    case 'one-face':
      return ffmpeg(
        panningFace(out, 4, false, [
          ...['-movflags', '+use_metadata_tags', '-metadata', 'comment=unmask fixture: one-face'],
          ...['-metadata', 'creation_time=2024-01-02T03:04:05Z', '-metadata', 'ai_generated=false'],
        ]),
      );
    case 'long-one-face':
      return ffmpeg(panningFace(out, 24, false));
    case 'portrait':
      return ffmpeg(panningFace(out, 3, true));
    case 'two-faces':
      return ffmpeg([
        ...['-i', GRACE_HOPPER_JPG, '-i', ASTRONAUT_PNG],
        ...[
          '-filter_complex',
          `[0]scale=320:320[a];[1]scale=320:320[b];[a][b]hstack,${repeat(75)},format=yuv420p`,
        ],
        ...X264,
        out,
      ]);
    case 'rotated-90': {
      // Store the upright portrait clip turned 90° counter-clockwise, then tag it "rotate 90° clockwise for
      // display", as a phone does. ffmpeg versions disagree on the sign of the `rotate` tag when stream
      // copying (4.1 writes the inverse matrix), so try both and keep the one ffprobe reads back as 90.
      const sideways = `${out}.sideways${extname(out)}`;
      try {
        await ffmpeg([
          '-i',
          await makeFixtureVideo('portrait', options),
          '-vf',
          'transpose=cclock',
          ...X264,
          sideways,
        ]);
        for (const tag of ['90', '270']) {
          await ffmpeg(['-i', sideways, '-c', 'copy', '-metadata:s:v:0', `rotate=${tag}`, out]);
          if ((await probeRotation(out)) === 90) return;
        }
        throw new Error('could not write a 90° display rotation with this ffmpeg');
      } finally {
        await rm(sideways, { force: true });
      }
    }
    case 'odd-size':
      return ffmpeg([
        ...['-i', GRACE_HOPPER_JPG],
        ...['-vf', `scale=241:241,pad=321:241:40:0:color=0x404040,${repeat(50)}`],
        ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv444p', out],
      ]);
    case 'vfr':
      return ffmpeg([
        ...['-f', 'lavfi', '-i', 'testsrc=s=320x240:r=30:d=3'],
        ...['-vf', "select='lt(n,30)+gte(n,30)*lt(n,60)*not(mod(n,3))+gte(n,60)*not(mod(n,2))'"],
        ...['-vsync', 'vfr', ...X264, out],
      ]);
    case 'with-audio':
      return ffmpeg([
        ...['-i', await makeFixtureVideo('one-face', options)],
        ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=4'],
        ...['-map', '0:v:0', '-map', '1:a:0', '-c:v', 'copy', '-c:a', 'aac', '-ac', '2', '-shortest', out],
      ]);
    case 'no-faces':
      return ffmpeg(['-f', 'lavfi', '-i', 'testsrc=s=320x240:r=25:d=2', ...X264, out]);
    case 'audio-only':
      return ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=440:duration=2', '-c:a', 'aac', out]);
    case 'text-as-mp4':
      return writeFile(out, 'This is not a video.\nIt is a text file that was renamed to .mp4.\n');
    case 'truncated':
      return truncateCopy(await makeFixtureVideo('one-face', options), out, 0.4);
    case 'truncated-faststart': {
      const faststart = `${out}.full${extname(out)}`;
      try {
        await ffmpeg([
          '-i',
          await makeFixtureVideo('one-face', options),
          '-c',
          'copy',
          '-movflags',
          '+faststart',
          faststart,
        ]);
        return await truncateCopy(faststart, out, 0.7);
      } finally {
        await rm(faststart, { force: true });
      }
    }
    case 'damaged-middle':
      await ffmpeg(panningFace(out, 15, false));
      return damageMiddle(out, 100_000);
    case 'still-image':
      return copyFile(ASTRONAUT_PNG, out);
    case '8k-frame':
      return ffmpeg(['-f', 'lavfi', '-i', 'color=c=gray:s=7680x4320:r=1', '-frames:v', '1', ...X264, out]);
    case 'zero-byte':
      return (await open(out, 'w')).close();
    case 'unicode-path':
      return copyFile(await makeFixtureVideo('one-face', options), out);
    case 'long-720p':
      // One test pattern frame repeated: x264 skips the unchanged blocks, so this encodes in well under a second.
      return ffmpeg([
        ...[
          '-f',
          'lavfi',
          '-i',
          'testsrc2=s=1280x720:r=10:d=0.1,loop=loop=199:size=1:start=0,setpts=N/10/TB',
        ],
        ...['-g', '50', ...X264, out],
      ]);
  }
}
