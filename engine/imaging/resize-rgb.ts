/** Downscales packed RGB frames (box-filtered bilinear) so detection runs at a bounded cost. */
import type { RgbFrame } from '../video/frame.ts';

/** Returns `frame` itself when its longer side is already ≤ maxSide. */
export function downscaleRgb(frame: RgbFrame, maxSide: number): { frame: RgbFrame; scale: number } {
  const longer = Math.max(frame.width, frame.height);
  if (longer <= maxSide) return { frame, scale: 1 };
  const scale = maxSide / longer;
  const width = Math.max(1, Math.round(frame.width * scale));
  const height = Math.max(1, Math.round(frame.height * scale));
  const out = new Uint8Array(width * height * 3);
  const sx = frame.width / width;
  const sy = frame.height / height;
  // Average the source pixels covered by each output pixel (integer footprint), which avoids aliasing.
  for (let y = 0; y < height; y++) {
    const y0 = Math.floor(y * sy);
    const y1 = Math.max(y0 + 1, Math.min(frame.height, Math.floor((y + 1) * sy)));
    for (let x = 0; x < width; x++) {
      const x0 = Math.floor(x * sx);
      const x1 = Math.max(x0 + 1, Math.min(frame.width, Math.floor((x + 1) * sx)));
      let r = 0;
      let g = 0;
      let b = 0;
      for (let yy = y0; yy < y1; yy++) {
        let i = (yy * frame.width + x0) * 3;
        for (let xx = x0; xx < x1; xx++, i += 3) {
          r += frame.data[i]!;
          g += frame.data[i + 1]!;
          b += frame.data[i + 2]!;
        }
      }
      const n = (y1 - y0) * (x1 - x0);
      const o = (y * width + x) * 3;
      out[o] = r / n;
      out[o + 1] = g / n;
      out[o + 2] = b / n;
    }
  }
  return { frame: { width, height, data: out }, scale: width / frame.width };
}
