/**
 * The preview grid written during training: one row per sample face, six columns —
 *   A | A→A (reconstruction) | A→B (swap) | B | B→B | B→A
 * Each tile is upscaled ×2 (bilinear) so 64 px faces are easy to judge.
 */
import { floatFromRgb, resizeImage, rgbFromFloat, type FloatImage } from '../imaging/float-image.ts';
import { tileGrid } from '../imaging/png.ts';
import { tf } from '../runtime/tensorflow.ts';
import type { RgbFrame } from '../video/frame.ts';
import { IDENTITIES, other, type Identity, type SwapNetworks } from './swap-networks.ts';

export const PREVIEW_COLUMNS = ['A', 'A→A', 'A→B', 'B', 'B→B', 'B→A'] as const;

/** Runs `faces01` (N×S×S×3, 0..1) of `identity` through its own and the other decoder; RGB only, 0..1. */
export function reconstructAndSwap(
  networks: SwapNetworks,
  identity: Identity,
  faces01: tf.Tensor4D,
): { own: tf.Tensor4D; swapped: tf.Tensor4D; ownMask: tf.Tensor4D; swappedMask: tf.Tensor4D } {
  return tf.tidy(() => {
    const { code } = networks.encode(identity, faces01, false);
    const own = networks.decode(identity, code);
    const swapped = networks.decode(other(identity), code);
    const [n, s] = own.shape;
    const rgb = (t: tf.Tensor4D) => t.slice([0, 0, 0, 0], [n, s, s, 3]);
    const mask = (t: tf.Tensor4D) => t.slice([0, 0, 0, 3], [n, s, s, 1]);
    return { own: rgb(own), swapped: rgb(swapped), ownMask: mask(own), swappedMask: mask(swapped) };
  });
}

function tensorToImages(t: tf.Tensor4D): FloatImage[] {
  const [n, h, w, c] = t.shape;
  const data = t.dataSync() as Float32Array;
  return Array.from({ length: n }, (_, i) => ({
    width: w,
    height: h,
    channels: c,
    data: data.slice(i * h * w * c, (i + 1) * h * w * c),
  }));
}

/** Builds the grid from `faces[identity]` (the same number of S×S RGB crops for A and B). */
export function previewGrid(
  networks: SwapNetworks,
  faces: Record<Identity, FloatImage[]>,
  scale = 2,
): RgbFrame {
  const rows = Math.min(faces.a.length, faces.b.length);
  if (rows === 0) throw new Error('previewGrid needs at least one face of each identity');
  const size = networks.architecture.size;
  const columns: Record<Identity, FloatImage[][]> = { a: [], b: [] };
  for (const identity of IDENTITIES) {
    const packed = new Float32Array(rows * size * size * 3);
    faces[identity].slice(0, rows).forEach((f, i) => packed.set(f.data, i * size * size * 3));
    const input = tf.tensor4d(packed, [rows, size, size, 3]);
    const result = reconstructAndSwap(networks, identity, input);
    columns[identity] = [
      faces[identity].slice(0, rows),
      tensorToImages(result.own),
      tensorToImages(result.swapped),
    ];
    tf.dispose([input, result.own, result.swapped, result.ownMask, result.swappedMask]);
  }
  const tiles: RgbFrame[] = [];
  for (let r = 0; r < rows; r++) {
    for (const identity of IDENTITIES) {
      for (const column of columns[identity])
        tiles.push(rgbFromFloat(resizeImage(column[r]!, size * scale, size * scale)));
    }
  }
  return tileGrid(tiles, PREVIEW_COLUMNS.length);
}

/** S×S RGB crop (0..1) of face `index` of a stacked face set. */
export function faceFromStack(stacked: Uint8Array, size: number, index: number): FloatImage {
  const rgb = new Uint8Array(size * size * 3);
  const base = index * size * size * 5;
  for (let p = 0; p < size * size; p++) {
    rgb[p * 3] = stacked[base + p * 5]!;
    rgb[p * 3 + 1] = stacked[base + p * 5 + 1]!;
    rgb[p * 3 + 2] = stacked[base + p * 5 + 2]!;
  }
  return floatFromRgb({ width: size, height: size, data: rgb });
}
