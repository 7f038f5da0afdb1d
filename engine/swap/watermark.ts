/**
 * The visible "SYNTHETIC" label burnt into every frame the swap studio renders, and its detector (used by tests
 * and by `unmask swap eval` to check outputs). Pure pixel maths: a 5×7 bitmap font, white on a black box in the
 * top-left corner, scaled with the frame so it stays readable after compression.
 */
import type { RgbFrame } from '../video/frame.ts';

export const WATERMARK_TEXT = 'SYNTHETIC';

/** 5×7 glyphs, one string per row, '#' = ink. */
const GLYPHS: Record<string, readonly string[]> = {
  S: ['.####', '#....', '#....', '.###.', '....#', '....#', '####.'],
  Y: ['#...#', '#...#', '.#.#.', '..#..', '..#..', '..#..', '..#..'],
  N: ['#...#', '##..#', '#.#.#', '#..##', '#...#', '#...#', '#...#'],
  T: ['#####', '..#..', '..#..', '..#..', '..#..', '..#..', '..#..'],
  H: ['#...#', '#...#', '#...#', '#####', '#...#', '#...#', '#...#'],
  E: ['#####', '#....', '#....', '####.', '#....', '#....', '#####'],
  I: ['#####', '..#..', '..#..', '..#..', '..#..', '..#..', '#####'],
  C: ['.####', '#....', '#....', '#....', '#....', '#....', '.####'],
};

export interface WatermarkLayout {
  /** Side of one font pixel, in frame pixels. */
  cell: number;
  /** Top-left of the black box. */
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Box and scale for a frame: a font pixel of height/90 (at least 2 px), one cell of padding around the text. */
export function watermarkLayout(frameWidth: number, frameHeight: number): WatermarkLayout {
  let cell = Math.max(2, Math.round(frameHeight / 90));
  const textCells = WATERMARK_TEXT.length * 6 - 1;
  while (cell > 1 && (textCells + 2) * cell > frameWidth - 2 * cell) cell--;
  return { cell, x: cell, y: cell, width: (textCells + 2) * cell, height: 9 * cell };
}

/** Ink map of the box in cells: 1 where a font pixel is lit, 0 on the black box. */
function inkCells(): { columns: number; rows: number; ink: Uint8Array } {
  const columns = WATERMARK_TEXT.length * 6 - 1 + 2;
  const rows = 9;
  const ink = new Uint8Array(columns * rows);
  [...WATERMARK_TEXT].forEach((letter, k) => {
    GLYPHS[letter]!.forEach((row, r) => {
      for (let c = 0; c < 5; c++) if (row[c] === '#') ink[(r + 1) * columns + 1 + k * 6 + c] = 1;
    });
  });
  return { columns, rows, ink };
}

/** Draws the watermark into `frame` in place (and returns it). */
export function drawWatermark(frame: RgbFrame): RgbFrame {
  const layout = watermarkLayout(frame.width, frame.height);
  const { columns, rows, ink } = inkCells();
  for (let cy = 0; cy < rows; cy++) {
    for (let cx = 0; cx < columns; cx++) {
      const value = ink[cy * columns + cx] ? 255 : 0;
      for (let dy = 0; dy < layout.cell; dy++) {
        const y = layout.y + cy * layout.cell + dy;
        if (y >= frame.height) continue;
        for (let dx = 0; dx < layout.cell; dx++) {
          const x = layout.x + cx * layout.cell + dx;
          if (x >= frame.width) continue;
          const o = (y * frame.width + x) * 3;
          frame.data[o] = value;
          frame.data[o + 1] = value;
          frame.data[o + 2] = value;
        }
      }
    }
  }
  return frame;
}

/**
 * How well the frame shows the watermark: the fraction of font cells whose centre pixel reads as ink where ink
 * belongs (grey > 160) and as box where box belongs (grey < 96). 1 for a freshly drawn label; above 0.9 after
 * H.264 at CRF 18; near 0.5 or below on ordinary footage.
 */
export function watermarkScore(frame: RgbFrame): number {
  const layout = watermarkLayout(frame.width, frame.height);
  const { columns, rows, ink } = inkCells();
  let right = 0;
  let total = 0;
  for (let cy = 0; cy < rows; cy++) {
    for (let cx = 0; cx < columns; cx++) {
      const x = layout.x + cx * layout.cell + Math.floor(layout.cell / 2);
      const y = layout.y + cy * layout.cell + Math.floor(layout.cell / 2);
      if (x >= frame.width || y >= frame.height) continue;
      const o = (y * frame.width + x) * 3;
      const grey = 0.299 * frame.data[o]! + 0.587 * frame.data[o + 1]! + 0.114 * frame.data[o + 2]!;
      total++;
      if (ink[cy * columns + cx] ? grey > 160 : grey < 96) right++;
    }
  }
  return total ? right / total : 0;
}

export const WATERMARK_FOUND_THRESHOLD = 0.9;

export function hasWatermark(frame: RgbFrame): boolean {
  return watermarkScore(frame) >= WATERMARK_FOUND_THRESHOLD;
}
