/**
 * Self-blended images (SBI; Shiohara & Yamasaki, CVPR 2022): a real face is blended with a colour- and
 * geometry-perturbed copy of itself through a soft landmark-hull mask. The pair (real, blend) teaches a
 * detector the traces every face swap leaves — a blend boundary, a colour/sharpness mismatch, a slight
 * misalignment — without any deepfake data. The blend mask also gives a supervised target for the
 * blend-boundary map (as in Face X-ray: B = 4·M·(1−M)).
 *
 * Pure: the output depends only on the input and the seed.
 */
import { gaussianBlur, morphology, sharpen } from '../imaging/filters.ts';
import {
  createFloatImage,
  resizeImage,
  warpAffine,
  type Affine,
  type FloatImage,
} from '../imaging/float-image.ts';
import { simulateJpeg } from '../imaging/jpeg.ts';
import { convexHull, fillPolygon, type Point } from '../imaging/polygon.ts';
import { createRandom, type Random } from '../util/random.ts';

export interface SelfBlendInput {
  /** Aligned face crop, 3 channels, 0..1. */
  face: FloatImage;
  /** Face landmarks in crop pixel coordinates (any count ≥ 3; the hull of all of them is the face region). */
  landmarks: readonly Point[];
}

export interface SelfBlendSample {
  real: FloatImage;
  fake: FloatImage;
  /** The blend weight actually used, 1 channel, 0..1; zero outside the face hull. */
  mask: FloatImage;
  /** Blend-boundary target 4·M·(1−M) of the unscaled soft mask, 1 channel, 0..1. */
  boundary: FloatImage;
  /** The random choices made, for debugging and the model card. */
  choices: Record<string, number>;
}

/** Ranges of the random perturbations; fractions are of the crop size. */
export interface SelfBlendConfig {
  /** The soft mask is pulled inside the hull by this fraction of the crop size (erosion + blur reach). */
  insetRange: readonly [number, number];
  /** Polygon shrink about its centroid, per axis. */
  shrinkRange: readonly [number, number];
  blendRatios: readonly number[];
  /** Source colour shift per channel, brightness offset and contrast factor. */
  channelShift: number;
  brightness: number;
  contrastRange: readonly [number, number];
  /** Unsharp-mask amount of the source: negative blurs, positive sharpens. */
  sharpnessRange: readonly [number, number];
  /** Probability and scale range of a down-then-up resize of the source (resolution mismatch). */
  resizeProbability: number;
  resizeRange: readonly [number, number];
  /** Source translation (fraction of size) and scale jitter. */
  maxShift: number;
  scaleRange: readonly [number, number];
  /** Probability of JPEG re-compression, applied to real and fake independently, and its quality range. */
  jpegProbability: number;
  jpegQualityRange: readonly [number, number];
}

export const DEFAULT_SELF_BLEND: SelfBlendConfig = {
  insetRange: [0.02, 0.1],
  shrinkRange: [0.85, 1],
  blendRatios: [0.25, 0.5, 0.75, 1, 1, 1],
  channelShift: 0.06,
  brightness: 0.08,
  contrastRange: [0.85, 1.15],
  sharpnessRange: [-0.9, 1.2],
  resizeProbability: 0.5,
  resizeRange: [0.45, 0.9],
  maxShift: 0.03,
  scaleRange: [0.96, 1.04],
  jpegProbability: 0.7,
  jpegQualityRange: [45, 98],
};

function perturbColour(
  face: FloatImage,
  random: Random,
  config: SelfBlendConfig,
  choices: Record<string, number>,
): FloatImage {
  const out = createFloatImage(face.width, face.height, 3);
  const shift = [0, 1, 2].map(() => random.uniform(-config.channelShift, config.channelShift));
  const brightness = random.uniform(-config.brightness, config.brightness);
  const contrast = random.uniform(...config.contrastRange);
  choices['contrast'] = contrast;
  choices['brightness'] = brightness;
  for (let i = 0; i < out.data.length; i++) {
    out.data[i] = (face.data[i]! - 0.5) * contrast + 0.5 + brightness + shift[i % 3]!;
  }
  return out;
}

function perturbGeometry(
  source: FloatImage,
  random: Random,
  config: SelfBlendConfig,
  choices: Record<string, number>,
): FloatImage {
  const size = source.width;
  let out = source;
  if (random.chance(config.resizeProbability)) {
    const factor = random.uniform(...config.resizeRange);
    choices['resize'] = factor;
    const small = resizeImage(
      out,
      Math.max(8, Math.round(source.width * factor)),
      Math.max(8, Math.round(source.height * factor)),
    );
    out = resizeImage(small, source.width, source.height);
  }
  const scale = random.uniform(...config.scaleRange);
  const dx = random.uniform(-config.maxShift, config.maxShift) * size;
  const dy = random.uniform(-config.maxShift, config.maxShift) * size;
  choices['scale'] = scale;
  choices['shiftX'] = dx;
  choices['shiftY'] = dy;
  const cx = source.width / 2;
  const cy = source.height / 2;
  const forward: Affine = [scale, 0, cx - scale * cx + dx, 0, scale, cy - scale * cy + dy];
  return warpAffine(out, forward, source.width, source.height);
}

/** Soft mask inside the landmark hull: shrink the hull, erode, blur so that the blur's reach stays inside. */
function softHullMask(
  input: SelfBlendInput,
  random: Random,
  config: SelfBlendConfig,
  choices: Record<string, number>,
) {
  const { width, height } = input.face;
  const hull = convexHull(input.landmarks);
  const hullMask = fillPolygon(hull, width, height);
  const cx = hull.reduce((s, p) => s + p[0], 0) / hull.length;
  const cy = hull.reduce((s, p) => s + p[1], 0) / hull.length;
  const sx = random.uniform(...config.shrinkRange);
  const sy = random.uniform(...config.shrinkRange);
  const shrunk = hull.map(([x, y]): Point => [cx + (x - cx) * sx, cy + (y - cy) * sy]);
  const inset = random.uniform(...config.insetRange) * width;
  // Split the inset between a hard erosion and a Gaussian blur whose 3σ reach fits inside the rest.
  const sigma = Math.max(0.5, (inset * random.uniform(0.3, 0.9)) / 3);
  const erosion = Math.max(0, Math.ceil(inset - 3 * sigma));
  choices['inset'] = inset;
  choices['sigma'] = sigma;
  choices['erosion'] = erosion;
  const soft = gaussianBlur(morphology(fillPolygon(shrunk, width, height), erosion), sigma);
  for (let i = 0; i < soft.data.length; i++) soft.data[i]! *= hullMask.data[i]!;
  return soft;
}

export function selfBlend(
  input: SelfBlendInput,
  seed: number,
  config: SelfBlendConfig = DEFAULT_SELF_BLEND,
): SelfBlendSample {
  if (input.face.channels !== 3) throw new Error('selfBlend needs a 3-channel face');
  if (input.landmarks.length < 3) throw new Error('selfBlend needs at least 3 landmarks');
  const random = createRandom(seed);
  const choices: Record<string, number> = {};
  const soft = softHullMask(input, random, config, choices);

  let source = perturbColour(input.face, random, config, choices);
  const sharpness = random.uniform(...config.sharpnessRange);
  choices['sharpness'] = sharpness;
  source = sharpen(source, sharpness, 1);
  source = perturbGeometry(source, random, config, choices);

  const ratio = random.pick(config.blendRatios);
  choices['ratio'] = ratio;
  const mask = createFloatImage(input.face.width, input.face.height, 1);
  const boundary = createFloatImage(input.face.width, input.face.height, 1);
  let fake = createFloatImage(input.face.width, input.face.height, 3);
  for (let p = 0; p < mask.data.length; p++) {
    const m = soft.data[p]!;
    const w = m * ratio;
    mask.data[p] = w;
    boundary.data[p] = Math.min(1, 4 * m * (1 - m));
    for (let ch = 0; ch < 3; ch++) {
      const i = p * 3 + ch;
      fake.data[i] = Math.min(1, Math.max(0, source.data[i]! * w + input.face.data[i]! * (1 - w)));
    }
  }

  let real = input.face;
  if (random.chance(config.jpegProbability)) {
    choices['jpegReal'] = random.uniform(...config.jpegQualityRange);
    real = simulateJpeg(real, choices['jpegReal']);
  }
  if (random.chance(config.jpegProbability)) {
    choices['jpegFake'] = random.uniform(...config.jpegQualityRange);
    fake = simulateJpeg(fake, choices['jpegFake']);
  }
  return { real, fake, mask, boundary, choices };
}
