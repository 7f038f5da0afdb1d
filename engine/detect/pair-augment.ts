/**
 * Augmentations applied to a training pair *as a whole*, so that nothing global — framing, colour, sharpness,
 * noise, compression — separates the real crop from its self-blend. The detector is left with the local
 * evidence (blend boundary, inner/outer mismatch), which is what transfers to unseen faces and footage.
 * Pure: driven by a seeded Random.
 */
import { bilateralFilter, gaussianBlur } from '../imaging/filters.ts';
import {
  createFloatImage,
  resizeImage,
  warpAffine,
  type Affine,
  type FloatImage,
} from '../imaging/float-image.ts';
import { simulateJpeg } from '../imaging/jpeg.ts';
import type { Point } from '../imaging/polygon.ts';
import type { Random } from '../util/random.ts';

export interface PairAugmentConfig {
  scaleRange: readonly [number, number];
  maxRotationRadians: number;
  maxShift: number;
  brightness: number;
  contrastRange: readonly [number, number];
  saturationRange: readonly [number, number];
  blurProbability: number;
  maxBlurSigma: number;
  /** Edge-preserving smoothing (bilateral) of both crops: phone beauty filters and low-bitrate video. */
  smoothProbability: number;
  smoothRangeSigma: readonly [number, number];
  resampleProbability: number;
  resampleRange: readonly [number, number];
  noiseProbability: number;
  maxNoise: number;
  jpegProbability: number;
  jpegQualityRange: readonly [number, number];
  /**
   * Probability of blacking out both crops outside one random, slightly turned square (side, as a fraction of
   * the crop). Tight dataset crops (DFDC's) come with black where the aligned crop leaves the image; making
   * such borders common on every kind of pair teaches the network that black borders carry no label.
   */
  borderProbability: number;
  borderSideRange: readonly [number, number];
}

/**
 * Down-and-up resampling of a pair, as a fraction of its crop: from 0.4 (the scan judges faces from 64 px, its
 * `minFaceSize`, and a 64 px face fills 0.4 of the bank's 160 px crop) to 0.9. Faces that small carry little
 * evidence either way; a pair made that blurry teaches the network to stay near 0.5 on them rather than to read
 * low resolution as a sign of a deepfake (DFDC's fakes are often softer than their reals).
 */
const RESAMPLE_RANGE: readonly [number, number] = [0.4, 0.9];

export const DEFAULT_PAIR_AUGMENT: PairAugmentConfig = {
  scaleRange: [0.92, 1.08],
  maxRotationRadians: 0.14,
  maxShift: 0.04,
  brightness: 0.1,
  contrastRange: [0.8, 1.2],
  saturationRange: [0.7, 1.3],
  blurProbability: 0.3,
  maxBlurSigma: 1.2,
  smoothProbability: 0.3,
  smoothRangeSigma: [0.03, 0.12],
  resampleProbability: 0.3,
  resampleRange: RESAMPLE_RANGE,
  noiseProbability: 0.2,
  maxNoise: 0.02,
  jpegProbability: 0.7,
  jpegQualityRange: [20, 98],
  borderProbability: 0.4,
  borderSideRange: [0.6, 1],
};

/**
 * Lighter, for supervised pairs (a real face and a real deepfake of it): a generator's traces are subtle textures
 * that heavy blur, edge-preserving smoothing and JPEG at quality 20 erase, where a self-blend's boundary survives
 * them. Still enough compression and resampling for re-encoded video.
 */
export const SUPERVISED_PAIR_AUGMENT: PairAugmentConfig = {
  ...DEFAULT_PAIR_AUGMENT,
  blurProbability: 0.1,
  maxBlurSigma: 0.8,
  smoothProbability: 0.1,
  resampleProbability: 0.3,
  resampleRange: RESAMPLE_RANGE,
  noiseProbability: 0.1,
  jpegProbability: 0.5,
  jpegQualityRange: [40, 98],
};

/** Random similarity about the crop centre, applied to the face and its landmark hull together. */
export function jitterGeometry(
  face: FloatImage,
  hull: readonly Point[],
  random: Random,
  config: PairAugmentConfig,
) {
  const s = random.uniform(...config.scaleRange);
  const angle = random.uniform(-config.maxRotationRadians, config.maxRotationRadians);
  const cx = face.width / 2;
  const cy = face.height / 2;
  const tx = random.uniform(-config.maxShift, config.maxShift) * face.width;
  const ty = random.uniform(-config.maxShift, config.maxShift) * face.height;
  const a = s * Math.cos(angle);
  const b = s * Math.sin(angle);
  const forward: Affine = [a, -b, cx - a * cx + b * cy + tx, b, a, cy - b * cx - a * cy + ty];
  return {
    face: warpAffine(face, forward, face.width, face.height),
    hull: hull.map(([x, y]): Point => [
      forward[0] * x + forward[1] * y + forward[2],
      forward[3] * x + forward[4] * y + forward[5],
    ]),
  };
}

interface Photometric {
  brightness: number;
  contrast: number;
  saturation: number;
  blurSigma: number;
  /** Bilateral range σ (0 = none). */
  smoothSigma: number;
  resample: number;
  noise: number;
  noiseSeed: number;
}

export function drawPhotometric(random: Random, config: PairAugmentConfig): Photometric {
  return {
    brightness: random.uniform(-config.brightness, config.brightness),
    contrast: random.uniform(...config.contrastRange),
    saturation: random.uniform(...config.saturationRange),
    blurSigma: random.chance(config.blurProbability) ? random.uniform(0.3, config.maxBlurSigma) : 0,
    smoothSigma: random.chance(config.smoothProbability) ? random.uniform(...config.smoothRangeSigma) : 0,
    resample: random.chance(config.resampleProbability) ? random.uniform(...config.resampleRange) : 1,
    noise: random.chance(config.noiseProbability) ? random.uniform(0, config.maxNoise) : 0,
    noiseSeed: random.int(1, 2 ** 31 - 1),
  };
}

/** The same photometric change for both images of a pair (noise uses the same seed, hence the same pattern). */
export function applyPhotometric(
  image: FloatImage,
  p: Photometric,
  random: (seed: number) => Random,
): FloatImage {
  let out = createFloatImage(image.width, image.height, 3);
  for (let i = 0; i < image.data.length; i += 3) {
    const r = image.data[i]!;
    const g = image.data[i + 1]!;
    const b = image.data[i + 2]!;
    const grey = 0.299 * r + 0.587 * g + 0.114 * b;
    for (let c = 0; c < 3; c++) {
      const v = grey + (image.data[i + c]! - grey) * p.saturation;
      out.data[i + c] = (v - 0.5) * p.contrast + 0.5 + p.brightness;
    }
  }
  if (p.blurSigma > 0) out = gaussianBlur(out, p.blurSigma);
  if (p.smoothSigma > 0) out = bilateralFilter(out, 1.5, p.smoothSigma);
  if (p.resample < 1) {
    const w = Math.max(8, Math.round(image.width * p.resample));
    out = resizeImage(resizeImage(out, w, w), image.width, image.height);
  }
  if (p.noise > 0) {
    const noise = random(p.noiseSeed);
    for (let i = 0; i < out.data.length; i++) out.data[i]! += noise.normal() * p.noise;
  }
  for (let i = 0; i < out.data.length; i++) out.data[i] = Math.min(1, Math.max(0, out.data[i]!));
  return out;
}

/** JPEG re-compression, decided independently per image (so compression itself carries no label). */
export function maybeJpeg(image: FloatImage, random: Random, config: PairAugmentConfig): FloatImage {
  return random.chance(config.jpegProbability)
    ? simulateJpeg(image, random.uniform(...config.jpegQualityRange))
    : image;
}

/** A black-out window: inside the square of side `side` (pixels) centred at (cx, cy), turned by `angle`. */
export interface BorderWindow {
  cx: number;
  cy: number;
  side: number;
  angle: number;
}

export function drawBorderWindow(
  random: Random,
  size: number,
  config: PairAugmentConfig,
): BorderWindow | undefined {
  if (!random.chance(config.borderProbability)) return undefined;
  const side = random.uniform(...config.borderSideRange) * size;
  const slack = (size - side) / 2;
  return {
    cx: size / 2 + random.uniform(-slack, slack),
    cy: size / 2 + random.uniform(-slack, slack),
    side,
    angle: random.uniform(-0.3, 0.3),
  };
}

/** The image with every pixel outside the window set to black. Pure. */
export function blackOutside(image: FloatImage, window: BorderWindow): FloatImage {
  const out = createFloatImage(image.width, image.height, image.channels);
  const cos = Math.cos(window.angle);
  const sin = Math.sin(window.angle);
  const half = window.side / 2;
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const dx = x - window.cx;
      const dy = y - window.cy;
      if (Math.abs(cos * dx + sin * dy) > half || Math.abs(-sin * dx + cos * dy) > half) continue;
      const i = (y * image.width + x) * image.channels;
      for (let c = 0; c < image.channels; c++) out.data[i + c] = image.data[i + c]!;
    }
  }
  return out;
}
