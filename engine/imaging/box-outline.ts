/** A box drawn on a copy of a frame: where a face is, in a full-frame context picture. Pure. */
import type { RgbFrame } from '../video/frame.ts';

export interface PixelBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** `frame` with `box` outlined `thickness` px wide (inside the box, clipped to the frame) in `rgb`. */
export function outlineBox(
  frame: RgbFrame,
  box: PixelBox,
  rgb: readonly [number, number, number],
  thickness = 2,
): RgbFrame {
  const data = frame.data.slice();
  const x0 = Math.max(0, Math.round(box.x));
  const y0 = Math.max(0, Math.round(box.y));
  const x1 = Math.min(frame.width, Math.round(box.x + box.width));
  const y1 = Math.min(frame.height, Math.round(box.y + box.height));
  for (let y = y0; y < y1; y++) {
    const edgeRow = y < y0 + thickness || y >= y1 - thickness;
    for (let x = x0; x < x1; x++) {
      if (!edgeRow && x >= x0 + thickness && x < x1 - thickness) continue;
      const i = (y * frame.width + x) * 3;
      data[i] = rgb[0];
      data[i + 1] = rgb[1];
      data[i + 2] = rgb[2];
    }
  }
  return { width: frame.width, height: frame.height, data };
}
