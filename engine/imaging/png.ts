/** PNG encoding of RGB frames (pngjs), plus a simple grid layout for contact sheets and previews. */
import { PNG } from 'pngjs';
import type { RgbFrame } from '../video/frame.ts';

export function encodePng(frame: RgbFrame): Buffer {
  const png = new PNG({ width: frame.width, height: frame.height });
  for (let i = 0, j = 0; i < frame.data.length; i += 3, j += 4) {
    png.data[j] = frame.data[i]!;
    png.data[j + 1] = frame.data[i + 1]!;
    png.data[j + 2] = frame.data[i + 2]!;
    png.data[j + 3] = 255;
  }
  return PNG.sync.write(png);
}

export function decodePng(bytes: Buffer): RgbFrame {
  const png = PNG.sync.read(bytes);
  const data = new Uint8Array(png.width * png.height * 3);
  for (let i = 0, j = 0; i < data.length; i += 3, j += 4) {
    data[i] = png.data[j]!;
    data[i + 1] = png.data[j + 1]!;
    data[i + 2] = png.data[j + 2]!;
  }
  return { width: png.width, height: png.height, data };
}

/** Lays equally sized tiles out in rows of `columns`, with a `gap`-pixel dark border. */
export function tileGrid(tiles: readonly RgbFrame[], columns: number, gap = 2): RgbFrame {
  if (tiles.length === 0) throw new Error('tileGrid needs at least one tile');
  const { width: tw, height: th } = tiles[0]!;
  const rows = Math.ceil(tiles.length / columns);
  const width = columns * tw + (columns + 1) * gap;
  const height = rows * th + (rows + 1) * gap;
  const data = new Uint8Array(width * height * 3).fill(24);
  tiles.forEach((tile, k) => {
    if (tile.width !== tw || tile.height !== th) throw new Error('tileGrid tiles must share one size');
    const ox = gap + (k % columns) * (tw + gap);
    const oy = gap + Math.floor(k / columns) * (th + gap);
    for (let y = 0; y < th; y++)
      data.set(tile.data.subarray(y * tw * 3, (y + 1) * tw * 3), ((oy + y) * width + ox) * 3);
  });
  return { width, height, data };
}
