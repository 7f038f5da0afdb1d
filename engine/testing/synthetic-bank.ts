/** Test helper: a tiny synthetic face bank (textured crops with an elliptical hull). */
import type { DatasetSplit, FaceBank, FaceBankEntry } from '../detect/face-bank.ts';
import type { Point } from '../imaging/polygon.ts';

export function syntheticBank(count: number, size = 32): FaceBank {
  const crops = new Uint8Array(count * size * size * 3);
  for (let i = 0; i < crops.length; i++) crops[i] = (i * 31 + Math.floor(i / 97) * 7) % 256;
  const hull: Point[] = Array.from({ length: 24 }, (_, k) => {
    const a = (k / 24) * 2 * Math.PI;
    return [size / 2 + size * 0.3 * Math.cos(a), size / 2 + size * 0.38 * Math.sin(a)];
  });
  return {
    size,
    margin: 0.15,
    resampling: 'bilinear',
    crops,
    entries: Array.from({ length: count }, (_, i) => ({
      hull,
      group: `g${i % 3}`,
      source: `synthetic#${i}`,
    })),
  };
}

/**
 * A tiny labelled bank: `pairs` sources, each a real crop (its own texture) and a fake of it (the same crop with
 * a brighter, flatter inner square), all in one split. Entries carry label, pair and split as labelled-faces.ts
 * makes them.
 */
export function syntheticLabelledBank(
  pairs: number,
  split: DatasetSplit,
  size = 32,
  prefix = split,
): FaceBank {
  const base = syntheticBank(pairs * 2, size);
  const pixels = size * size * 3;
  const entries: FaceBankEntry[] = [];
  for (let p = 0; p < pairs; p++) {
    const pair = `${prefix}${p}`;
    const real = base.crops.subarray(2 * p * pixels, (2 * p + 1) * pixels);
    const fake = base.crops.subarray((2 * p + 1) * pixels, (2 * p + 2) * pixels);
    real.forEach((v, i) => (real[i] = (v + p * 37) % 256));
    fake.set(real);
    for (let y = size / 4; y < (3 * size) / 4; y++)
      for (let x = size / 4; x < (3 * size) / 4; x++)
        for (let c = 0; c < 3; c++) {
          const i = (y * size + x) * 3 + c;
          fake[i] = Math.min(255, 60 + fake[i]! / 2);
        }
    const hull = base.entries[0]!.hull;
    entries.push(
      { hull, group: pair, source: `${pair}-real`, label: 'real', pair, split },
      { hull, group: pair, source: `${pair}-fake`, label: 'fake', pair, split },
    );
  }
  return { ...base, entries };
}
