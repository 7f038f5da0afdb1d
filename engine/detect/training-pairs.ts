/**
 * Turns face-bank entries into training pairs for the detector: a real crop (label 0) and a fake (label 1) —
 * its self-blend, or a dataset's deepfake of the same source — with the fake's b×b blend-boundary target.
 * Pure: depends only on the bank, the indices and the seed.
 */
import type { FloatImage } from '../imaging/float-image.ts';
import { mirrorImage } from '../imaging/mirror.ts';
import { faceCropAt, faceWithHullAt, type FaceBank } from './face-bank.ts';
import { createRandom, type Random } from '../util/random.ts';
import {
  applyPhotometric,
  blackOutside,
  DEFAULT_PAIR_AUGMENT,
  drawBorderWindow,
  drawPhotometric,
  jitterGeometry,
  maybeJpeg,
  SUPERVISED_PAIR_AUGMENT,
  type PairAugmentConfig,
} from './pair-augment.ts';
import { DEFAULT_SELF_BLEND, selfBlend, type SelfBlendConfig } from './self-blend.ts';

export interface TrainingPair {
  real: Float32Array;
  fake: Float32Array;
  /** b×b boundary target of the fake; the real one's target is all zeros. */
  boundary: Float32Array;
}

/** Area-average downsampling of a single-channel image to b×b (size must be a multiple of b). */
export function downsampleMap(map: FloatImage, b: number): Float32Array {
  const factor = map.width / b;
  if (!Number.isInteger(factor) || map.height !== map.width)
    throw new Error(`cannot pool ${map.width}² to ${b}²`);
  const out = new Float32Array(b * b);
  for (let y = 0; y < map.height; y++) {
    for (let x = 0; x < map.width; x++) {
      out[Math.floor(y / factor) * b + Math.floor(x / factor)]! += map.data[y * map.width + x]!;
    }
  }
  for (let i = 0; i < out.length; i++) out[i]! /= factor * factor;
  return out;
}

/** Boundary target of a fake whose blend mask is unknown (a dataset's deepfake): left out of the boundary loss. */
export const UNKNOWN_BOUNDARY = -1;

/**
 * A self-blended pair: the bank's real face `index` (label 0) and its self-blend (label 1), with the blend's
 * boundary as the fake's target. Pure: depends only on the bank, the index and the seed.
 */
export function makeTrainingPair(
  bank: FaceBank,
  index: number,
  seed: number,
  inputSize: number,
  boundarySize: number,
  config: SelfBlendConfig = DEFAULT_SELF_BLEND,
): TrainingPair {
  const entry = bank.entries[index];
  if (!entry) throw new Error(`face bank has no entry ${index}`);
  const { face, hull } = faceWithHullAt(bank, index, inputSize);
  // Pair-level augmentation (pair-augment.ts) uses its own stream, so the SBI choices stay those of `seed`.
  const random = createRandom(seed ^ 0x5bd1e995);
  const jittered = jitterGeometry(face, hull, random, DEFAULT_PAIR_AUGMENT);
  const sample = selfBlend({ face: jittered.face, landmarks: jittered.hull }, seed, {
    ...config,
    jpegProbability: 0,
  });
  return finishPair(
    sample.real,
    sample.fake,
    sample.boundary,
    random,
    seed,
    boundarySize,
    DEFAULT_PAIR_AUGMENT,
  );
}

/**
 * A supervised pair: a dataset's real face `realIndex` (label 0) and a deepfake of the same source `fakeIndex`
 * (label 1), moved, recoloured and mirrored alike, so that only the manipulation tells them apart; augmented
 * more lightly than self-blends (SUPERVISED_PAIR_AUGMENT). The fake's blend mask is unknown, so its boundary
 * target is UNKNOWN_BOUNDARY. Pure.
 */
export function makeSupervisedPair(
  bank: FaceBank,
  realIndex: number,
  fakeIndex: number,
  seed: number,
  inputSize: number,
  boundarySize: number,
): TrainingPair {
  if (!bank.entries[realIndex] || !bank.entries[fakeIndex])
    throw new Error(`face bank has no entry ${realIndex} or ${fakeIndex}`);
  const real = faceWithHullAt(bank, realIndex, inputSize);
  const fake = faceCropAt(bank, fakeIndex, inputSize);
  const random = createRandom(seed ^ 0x5bd1e995);
  // The same geometric jitter for both: one seed drives two identical streams.
  const geometrySeed = random.int(1, 2 ** 31 - 1);
  const jitter = (image: FloatImage) =>
    jitterGeometry(image, real.hull, createRandom(geometrySeed), SUPERVISED_PAIR_AUGMENT).face;
  return finishPair(
    jitter(real.face),
    jitter(fake),
    undefined,
    random,
    seed,
    boundarySize,
    SUPERVISED_PAIR_AUGMENT,
  );
}

/**
 * What every pair gets alike: one photometric change, JPEG decided per image, an optional black border, and a
 * mirror half of the time (the seed's lowest bit, independent of the other draws).
 */
function finishPair(
  real: FloatImage,
  fake: FloatImage,
  boundary: FloatImage | undefined,
  random: Random,
  seed: number,
  boundarySize: number,
  augment: PairAugmentConfig,
): TrainingPair {
  const photometric = drawPhotometric(random, augment);
  let realOut = maybeJpeg(applyPhotometric(real, photometric, createRandom), random, augment);
  let fakeOut = maybeJpeg(applyPhotometric(fake, photometric, createRandom), random, augment);
  let boundaryOut = boundary;
  const window = drawBorderWindow(random, real.width, augment);
  if (window) {
    realOut = blackOutside(realOut, window);
    fakeOut = blackOutside(fakeOut, window);
    if (boundaryOut) boundaryOut = blackOutside(boundaryOut, window);
  }
  const flip = (seed & 1) === 1;
  const mirrored = (image: FloatImage) => (flip ? mirrorImage(image) : image);
  return {
    real: mirrored(realOut).data,
    fake: mirrored(fakeOut).data,
    boundary: boundaryOut
      ? downsampleMap(mirrored(boundaryOut), boundarySize)
      : new Float32Array(boundarySize * boundarySize).fill(UNKNOWN_BOUNDARY),
  };
}
