/**
 * Test helper: a fixture video whose face is manipulated the way every face swap is — a self-blend (SBI:
 * the face replaced, inside its landmark hull, by a colour-, sharpness- and geometry-perturbed copy of itself).
 * The shipped detector is trained to flag exactly this, so the clip exercises the "likely manipulated" path
 * (consent warning, red boxes, heatmaps) without any real person's deepfake. Cached like the other fixtures.
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

/** Bump when the recipe changes. */
const RECIPE = 'blended-face-v2';

/** A full-strength blend (no partial mixing), not re-compressed before encoding. */
const STRONG_BLEND = { ...DEFAULT_SELF_BLEND, blendRatios: [1], jpegProbability: 0 };
/** The blend's random choices (colour shift, sharpness, warp) come from this seed. */
const SEED = 4;
/** The one-face fixture's canvas: Grace Hopper centred on a 16:9 frame. */
const CANVAS = 'pad=910:512:(ow-iw)/2:0:color=0x404040,scale=704:396,crop=640:360:32:18';

let pending: Promise<string> | undefined;

/** Grace Hopper on the one-face canvas, self-blended, 3 s at 25 fps, 640×360 h264 (near-lossless, CRF 12). */
export function makeBlendedFixtureVideo(dir = defaultFixtureDir()): Promise<string> {
  pending ??= build(dir);
  pending.catch(() => (pending = undefined));
  return pending;
}

async function build(dir: string): Promise<string> {
  const target = join(dir, `${RECIPE}.mp4`);
  if (
    await stat(target).then(
      (s) => s.isFile(),
      () => false,
    )
  )
    return target;
  await mkdir(dir, { recursive: true });
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const base = join(dir, `.${RECIPE}-${tag}-base.png`);
  const png = join(dir, `.${RECIPE}-${tag}.png`);
  const temp = join(dir, `.${RECIPE}-${tag}.mp4`);
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
    await ffmpeg([
      ...['-loop', '1', '-framerate', '25', '-t', '3', '-i', png],
      ...['-vf', 'format=yuv420p', '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '12', temp],
    ]);
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
