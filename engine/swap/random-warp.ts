/**
 * Training augmentation, after faceswap's `lib/training/augmentation.py` and DeepFaceLab's random warp:
 *
 * - a random similarity (rotation, zoom, shift) and a random horizontal flip, applied alike to the input, the
 *   target and the masks, so the pair stays in register;
 * - a random *elastic* warp — a coarse grid of control points nudged by Gaussian noise, interpolated to a dense
 *   displacement field — applied to the input only. The target stays unwarped, so the network cannot copy pixels
 *   through; it must learn what the face looks like. DeepFaceLab leaves every third sample unwarped.
 *
 * Pure maths on FloatImage (values 0..1, any channel count); seeded, so a seed reproduces a batch exactly.
 */
import {
  createFloatImage,
  sampleBilinear,
  warpAffine,
  type Affine,
  type FloatImage,
} from '../imaging/float-image.ts';
import type { Random } from '../util/random.ts';

export interface AugmentOptions {
  /** Largest rotation either way, degrees. */
  rotationDegrees: number;
  /** Largest relative zoom either way (0.05 = ±5 %). */
  zoom: number;
  /** Largest shift either way, as a fraction of the side. */
  shift: number;
  /** Probability of a horizontal flip. */
  flip: number;
  /** Control points per side of the elastic warp grid. */
  warpGrid: number;
  /** Standard deviation of each control point's displacement, as a fraction of the side. */
  warpSigma: number;
  /** Fraction of samples whose input is left unwarped (DeepFaceLab: one in three). */
  unwarpedFraction: number;
}

export const DEFAULT_AUGMENT: AugmentOptions = {
  rotationDegrees: 10,
  zoom: 0.05,
  shift: 0.05,
  flip: 0.5,
  warpGrid: 5,
  warpSigma: 0.025,
  unwarpedFraction: 1 / 3,
};

/** Similarity about the image centre: rotate by `angle` (rad), scale by `scale`, shift by (dx, dy) px, flip. */
export function centredSimilarity(
  size: number,
  angle: number,
  scale: number,
  dx: number,
  dy: number,
  flip: boolean,
): Affine {
  const c = (size - 1) / 2;
  const cos = Math.cos(angle) * scale;
  const sin = Math.sin(angle) * scale;
  const f = flip ? -1 : 1;
  // p' = R·S·F·(p − c) + c + d
  return [cos * f, -sin, c + dx - cos * f * c + sin * c, sin * f, cos, c + dy - sin * f * c - cos * c];
}

export function randomSimilarity(size: number, random: Random, options: AugmentOptions): Affine {
  const angle = (random.uniform(-1, 1) * options.rotationDegrees * Math.PI) / 180;
  const scale = 1 + random.uniform(-1, 1) * options.zoom;
  const dx = random.uniform(-1, 1) * options.shift * size;
  const dy = random.uniform(-1, 1) * options.shift * size;
  return centredSimilarity(size, angle, scale, dx, dy, random.chance(options.flip));
}

/** Dense displacement field (dx, dy per pixel, in px) from a grid×grid lattice of N(0, σ·size) nudges. */
export function randomWarpField(
  size: number,
  grid: number,
  sigma: number,
  random: Random,
): { dx: Float32Array; dy: Float32Array } {
  if (!(Number.isInteger(grid) && grid >= 2)) throw new RangeError('warp grid needs at least 2×2 points');
  const nodes = (): Float32Array =>
    Float32Array.from({ length: grid * grid }, () => random.normal() * sigma * size);
  const gx = nodes();
  const gy = nodes();
  return { dx: upsampleLattice(gx, grid, size), dy: upsampleLattice(gy, grid, size) };
}

/** Bilinear interpolation of a grid×grid lattice spanning the image (corners on the corner pixels) to size×size. */
export function upsampleLattice(lattice: Float32Array, grid: number, size: number): Float32Array {
  const out = new Float32Array(size * size);
  const step = (size - 1) / (grid - 1);
  for (let y = 0; y < size; y++) {
    const gy = Math.min(grid - 1.000001, y / step);
    const y0 = Math.floor(gy);
    const fy = gy - y0;
    for (let x = 0; x < size; x++) {
      const gx = Math.min(grid - 1.000001, x / step);
      const x0 = Math.floor(gx);
      const fx = gx - x0;
      const i = y0 * grid + x0;
      out[y * size + x] =
        lattice[i]! * (1 - fx) * (1 - fy) +
        lattice[i + 1]! * fx * (1 - fy) +
        lattice[i + grid]! * (1 - fx) * fy +
        lattice[i + grid + 1]! * fx * fy;
    }
  }
  return out;
}

/** out(x, y) = image(x + dx, y + dy), bilinear, edges replicated. */
export function remap(image: FloatImage, dx: Float32Array, dy: Float32Array): FloatImage {
  const { width, height, channels } = image;
  const out = createFloatImage(width, height, channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      sampleBilinear(image, x + dx[p]!, y + dy[p]!, out.data, p * channels);
    }
  }
  return out;
}

export interface TrainingSample {
  /** Warped face, S×S×3. */
  input: FloatImage;
  /** Unwarped face, S×S×3. */
  target: FloatImage;
  /** Face mask (landmark hull), S×S×1. */
  mask: FloatImage;
  /** Loss weight per pixel (1 on the face, more on eyes and mouth, 0 outside), S×S×1. */
  weight: FloatImage;
}

/**
 * One augmented training pair from a stacked face (S×S×5: RGB, hull mask, emphasis 0..1 where eyes are 1 and
 * mouth 0.5). The loss weight is mask·(1 + 2·emphasis): eyes ×3 and mouth ×2 as in faceswap.
 */
export function augmentFace(
  stacked: FloatImage,
  random: Random,
  options: AugmentOptions = DEFAULT_AUGMENT,
): TrainingSample {
  const size = stacked.width;
  if (stacked.channels !== 5 || stacked.height !== size)
    throw new RangeError('augmentFace needs an S×S×5 image');
  const moved = warpAffine(stacked, randomSimilarity(size, random, options), size, size);
  const n = size * size;
  const target = createFloatImage(size, size, 3);
  const mask = createFloatImage(size, size, 1);
  const weight = createFloatImage(size, size, 1);
  for (let p = 0; p < n; p++) {
    target.data[p * 3] = moved.data[p * 5]!;
    target.data[p * 3 + 1] = moved.data[p * 5 + 1]!;
    target.data[p * 3 + 2] = moved.data[p * 5 + 2]!;
    const m = moved.data[p * 5 + 3]!;
    mask.data[p] = m;
    weight.data[p] = m * (1 + 2 * moved.data[p * 5 + 4]!);
  }
  let input = target;
  if (!random.chance(options.unwarpedFraction)) {
    const { dx, dy } = randomWarpField(size, options.warpGrid, options.warpSigma, random);
    input = remap(target, dx, dy);
  }
  return { input, target, mask, weight };
}
