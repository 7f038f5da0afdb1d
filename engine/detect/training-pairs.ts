/**
 * Turns face-bank entries into training pairs for the detector: a real crop (label 0) and its self-blended
 * fake (label 1) with a b×b blend-boundary target. Pure: depends only on the bank, the index and the seed.
 */
import type { FloatImage } from '../imaging/float-image.ts';
import { mirrorImage } from '../imaging/mirror.ts';
import { faceWithHullAt, type FaceBank } from './face-bank.ts';
import { createRandom } from '../util/random.ts';
import {
  applyPhotometric,
  DEFAULT_PAIR_AUGMENT,
  drawPhotometric,
  jitterGeometry,
  maybeJpeg,
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
  const photometric = drawPhotometric(random, DEFAULT_PAIR_AUGMENT);
  const realAugmented = maybeJpeg(
    applyPhotometric(sample.real, photometric, createRandom),
    random,
    DEFAULT_PAIR_AUGMENT,
  );
  const fakeAugmented = maybeJpeg(
    applyPhotometric(sample.fake, photometric, createRandom),
    random,
    DEFAULT_PAIR_AUGMENT,
  );
  // Mirror both crops together half of the time (decided by the seed's lowest bit, independent of SBI's RNG).
  const flip = (seed & 1) === 1;
  const real = flip ? mirrorImage(realAugmented) : realAugmented;
  const fake = flip ? mirrorImage(fakeAugmented) : fakeAugmented;
  const boundary = flip ? mirrorImage(sample.boundary) : sample.boundary;
  return { real: real.data, fake: fake.data, boundary: downsampleMap(boundary, boundarySize) };
}
