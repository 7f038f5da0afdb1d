/**
 * Test helper: synthetic face sets for the swap engine — a coloured ellipse "face" with two eyes and a mouth on a
 * grey background, its hull mask and eye/mouth emphasis, in the S×S×5 layout of face-set.ts. Identity A is warm,
 * identity B is cool; the mouth opens and the face shifts from sample to sample so there is something to learn.
 */
import { FACE_SET_CHANNELS, type FaceSet } from '../swap/face-set.ts';
import type { SwapArchitecture } from '../swap/swap-architecture.ts';
import type { Identity } from '../swap/swap-networks.ts';
import { createRandom } from '../util/random.ts';

export function syntheticFaceSet(identity: Identity, count: number, size: number, seed = 1): FaceSet {
  const random = createRandom(seed + (identity === 'a' ? 0 : 7777));
  const skin = identity === 'a' ? [0.85, 0.6, 0.45] : [0.55, 0.65, 0.85];
  const stacked = new Uint8Array(count * size * size * FACE_SET_CHANNELS);
  const entries = [];
  for (let k = 0; k < count; k++) {
    const cx = size / 2 + random.uniform(-2, 2);
    const cy = size / 2 + random.uniform(-2, 2);
    const rx = size * 0.3;
    const ry = size * 0.38;
    const mouthOpen = random.uniform(0.01, 0.08) * size;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const o = ((k * size + y) * size + x) * FACE_SET_CHANNELS;
        const inFace = ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1;
        const eye = [-1, 1].some(
          (s) => (x - (cx + s * rx * 0.4)) ** 2 + (y - (cy - ry * 0.2)) ** 2 <= (size * 0.05) ** 2,
        );
        const mouth = Math.abs(x - cx) <= rx * 0.4 && Math.abs(y - (cy + ry * 0.45)) <= mouthOpen;
        const rgb = !inFace ? [0.5, 0.5, 0.5] : eye ? [0.1, 0.1, 0.1] : mouth ? [0.6, 0.1, 0.15] : skin;
        for (let c = 0; c < 3; c++) stacked[o + c] = Math.round(rgb[c]! * 255);
        stacked[o + 3] = inFace ? 255 : 0;
        stacked[o + 4] = eye ? 255 : mouth ? 128 : 0;
      }
    }
    entries.push({
      source: `${identity}.mp4`,
      timeSec: k / 8,
      yaw: 0,
      pitch: 0,
      sharpness: 50,
      heldOut: k >= count - 2,
    });
  }
  return {
    identity,
    size,
    margin: 0.1,
    resampling: 'area',
    entries,
    stacked,
    skipped: [],
    reference: undefined,
  };
}

/** A tiny template architecture (64 px, a few channels) that trains in milliseconds per step. */
export const TINY_SWAP: SwapArchitecture = {
  kind: 'template',
  size: 64,
  encoderWidths: [4, 8, 8, 16],
  latentDim: 16,
  bottleneckChannels: 8,
  upWidths: [8, 8, 4, 4],
};
