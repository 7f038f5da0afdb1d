/** Test helper: a tiny synthetic face bank (textured crops with an elliptical hull). */
import type { FaceBank } from '../detect/face-bank.ts';
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
