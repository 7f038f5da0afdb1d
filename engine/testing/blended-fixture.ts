/**
 * Test helper: a fixture video whose face is manipulated the way every face swap is — a self-blend (SBI:
 * the face replaced, inside its landmark hull, by a colour-, sharpness- and geometry-perturbed copy of itself).
 * The shipped detector is trained to flag exactly this, so the clip exercises the "likely manipulated" path
 * (consent warning, red boxes, heatmaps) without any real person's deepfake. Cached like the other fixtures.
 *
 * The spike clip shows the same face unblended but for one fifth of a second in the middle: at 5 sampled
 * frames a second exactly one frame scores high, and the person's smoothed track score stays low. It is the
 * case where a per-frame score must not raise the consent warning.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DEFAULT_SELF_BLEND, selfBlend } from '../detect/self-blend.ts';
import { loadFaceDetector } from '../faces/face-detector.ts';
import { decodeImageFile } from '../imaging/decode-image.ts';
import { floatFromRgb, rgbFromFloat } from '../imaging/float-image.ts';
import { encodePng } from '../imaging/png.ts';
import { resolveFfmpeg } from '../runtime/ffmpeg.ts';
import { defaultFixtureDir, GRACE_HOPPER_JPG } from './fixtures.ts';

const execFileAsync = promisify(execFile);

/** Bump when a recipe changes. */
const RECIPE = 'blended-face-v2';
const SPIKE_RECIPE = 'blended-spike-v1';

/** The spike clip: the unblended face, then the blended one for SPIKE_SECONDS from SPIKE_START_SEC, then unblended. */
export const SPIKE_START_SEC = 2;
const SPIKE_SECONDS = 0.2;
const SPIKE_CLIP_SECONDS = 4;

/** A full-strength blend (no partial mixing), not re-compressed before encoding. */
const STRONG_BLEND = { ...DEFAULT_SELF_BLEND, blendRatios: [1], jpegProbability: 0 };
/** The blend's random choices (colour shift, sharpness, warp) come from this seed. */
const SEED = 4;
/** The one-face fixture's canvas: Grace Hopper centred on a 16:9 frame. */
const CANVAS = 'pad=910:512:(ow-iw)/2:0:color=0x404040,scale=704:396,crop=640:360:32:18';

/** ffmpeg input options: one still picture shown for `seconds` at 25 fps. */
const stillInput = (png: string, seconds: number) =>
  ['-loop', '1', '-framerate', '25', '-t', `${seconds}`, '-i', png] as const;

const pending = new Map<string, Promise<string>>();

function cached(recipe: string, build: () => Promise<string>): Promise<string> {
  let made = pending.get(recipe);
  if (!made) {
    made = build();
    pending.set(recipe, made);
    made.catch(() => pending.delete(recipe));
  }
  return made;
}

/** Grace Hopper on the one-face canvas, self-blended, 3 s at 25 fps, 640×360 h264 (near-lossless, CRF 12). */
export function makeBlendedFixtureVideo(dir = defaultFixtureDir()): Promise<string> {
  return cached(RECIPE, () =>
    build(dir, RECIPE, (_base, blended) => [...stillInput(blended, 3), ...['-vf', 'format=yuv420p']]),
  );
}

/** The same canvas, 4 s at 25 fps: unblended, blended from 2.0 s to 2.2 s (5 frames), then unblended again. */
export function makeSpikeFixtureVideo(dir = defaultFixtureDir()): Promise<string> {
  return cached(SPIKE_RECIPE, () =>
    build(dir, SPIKE_RECIPE, (base, blended) => [
      ...stillInput(base, SPIKE_START_SEC),
      ...stillInput(blended, SPIKE_SECONDS),
      ...stillInput(base, SPIKE_CLIP_SECONDS - SPIKE_START_SEC - SPIKE_SECONDS),
      ...[
        '-filter_complex',
        '[0:v]setsar=1[a];[1:v]setsar=1[b];[2:v]setsar=1[c];[a][b][c]concat=n=3:v=1:a=0,format=yuv420p',
      ],
    ]),
  );
}

/** Encodes the clip `inputs` describes from the unblended and blended stills (near-lossless h264, CRF 12). */
async function build(
  dir: string,
  recipe: string,
  inputs: (basePng: string, blendedPng: string) => string[],
): Promise<string> {
  const target = join(dir, `${recipe}.mp4`);
  if (
    await stat(target).then(
      (s) => s.isFile(),
      () => false,
    )
  )
    return target;
  await mkdir(dir, { recursive: true });
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const base = join(dir, `.${recipe}-${tag}-base.png`);
  const png = join(dir, `.${recipe}-${tag}.png`);
  const temp = join(dir, `.${recipe}-${tag}.mp4`);
  const ffmpeg = (args: string[]) =>
    execFileAsync(resolveFfmpeg().ffmpeg.path, [
      '-hide_banner',
      '-nostdin',
      '-loglevel',
      'error',
      '-y',
      ...args,
    ]);
  try {
    // Blend in the video frame's own pixels, at the size the detector will see them.
    await ffmpeg(['-i', GRACE_HOPPER_JPG, '-vf', CANVAS, '-frames:v', '1', base]);
    await writeFile(png, encodePng(rgbFromFloat(await blendFace(base))));
    await ffmpeg([...inputs(base, png), ...['-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '12', temp]]);
    await rename(temp, target);
  } finally {
    await Promise.all([base, png, temp].map((f) => rm(f, { force: true })));
  }
  return target;
}

async function blendFace(imagePath: string) {
  const frame = await decodeImageFile(imagePath);
  const detector = await loadFaceDetector({ maxFaces: 1 });
  let landmarks: Array<[number, number]>;
  try {
    const [face] = await detector.predict(frame);
    if (!face) throw new Error('blended fixture: no face found in the source image');
    landmarks = face.landmarks;
  } finally {
    detector.dispose();
  }
  return selfBlend({ face: floatFromRgb(frame), landmarks }, SEED, STRONG_BLEND).fake;
}
