/**
 * JPEG re-compression for augmentation. `jpegRoundTrip` runs the real codec (jpeg-js, pure JavaScript; slow,
 * ~30–100 ms for 128²). `simulateJpeg` applies only JPEG's lossy steps — YCbCr, 4:2:0 chroma subsampling,
 * 8×8 DCT, quantisation with the IJG tables scaled by quality, and back — which is all that changes pixels
 * (entropy coding is lossless), at a fraction of the cost. A test checks the two agree closely.
 */
import jpeg from 'jpeg-js';
import { createFloatImage, floatFromRgb, rgbFromFloat, type FloatImage } from './float-image.ts';

export function jpegRoundTrip(image: FloatImage, quality: number): FloatImage {
  const rgb = rgbFromFloat(image);
  const rgba = Buffer.alloc(rgb.width * rgb.height * 4);
  for (let i = 0, j = 0; i < rgb.data.length; i += 3, j += 4) {
    rgba[j] = rgb.data[i]!;
    rgba[j + 1] = rgb.data[i + 1]!;
    rgba[j + 2] = rgb.data[i + 2]!;
    rgba[j + 3] = 255;
  }
  const encoded = jpeg.encode({ width: rgb.width, height: rgb.height, data: rgba }, Math.round(quality));
  const decoded = jpeg.decode(encoded.data, { useTArray: true, formatAsRGBA: false });
  return floatFromRgb({ width: decoded.width, height: decoded.height, data: decoded.data });
}

// IJG standard tables (ITU T.81 Annex K), in natural (row-major) order.
const LUMA_TABLE = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22,
  29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103,
  121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
];
const CHROMA_TABLE = [
  17,
  18,
  24,
  47,
  99,
  99,
  99,
  99,
  18,
  21,
  26,
  66,
  99,
  99,
  99,
  99,
  24,
  26,
  56,
  99,
  99,
  99,
  99,
  99,
  47,
  66,
  99,
  99,
  99,
  99,
  99,
  99,
  ...new Array<number>(32).fill(99),
];

function scaledTable(table: readonly number[], quality: number): Float32Array {
  const q = Math.min(100, Math.max(1, Math.round(quality)));
  const scale = q < 50 ? 5000 / q : 200 - q * 2;
  return Float32Array.from(table, (v) => Math.min(255, Math.max(1, Math.floor((v * scale + 50) / 100))));
}

// Orthonormal 8-point DCT-II basis: C[u][x] = c(u) cos((2x+1)uπ/16).
const DCT = new Float32Array(64);
for (let u = 0; u < 8; u++) {
  for (let x = 0; x < 8; x++)
    DCT[u * 8 + x] = (u === 0 ? Math.SQRT1_2 : 1) * 0.5 * Math.cos(((2 * x + 1) * u * Math.PI) / 16);
}

/** Quantises one plane (values 0..255) in place, block by block, with edge replication for partial blocks. */
function quantisePlane(plane: Float32Array, width: number, height: number, table: Float32Array): void {
  const block = new Float32Array(64);
  const temp = new Float32Array(64);
  for (let by = 0; by < height; by += 8) {
    for (let bx = 0; bx < width; bx += 8) {
      for (let y = 0; y < 8; y++) {
        const yy = Math.min(height - 1, by + y);
        for (let x = 0; x < 8; x++) block[y * 8 + x] = plane[yy * width + Math.min(width - 1, bx + x)]! - 128;
      }
      // Forward: F = C · B · Cᵀ
      for (let u = 0; u < 8; u++) {
        for (let x = 0; x < 8; x++) {
          let s = 0;
          for (let y = 0; y < 8; y++) s += DCT[u * 8 + y]! * block[y * 8 + x]!;
          temp[u * 8 + x] = s;
        }
      }
      for (let u = 0; u < 8; u++) {
        for (let v = 0; v < 8; v++) {
          let s = 0;
          for (let x = 0; x < 8; x++) s += temp[u * 8 + x]! * DCT[v * 8 + x]!;
          const q = table[u * 8 + v]!;
          block[u * 8 + v] = Math.round(s / q) * q;
        }
      }
      // Inverse: B = Cᵀ · F · C
      for (let y = 0; y < 8; y++) {
        for (let v = 0; v < 8; v++) {
          let s = 0;
          for (let u = 0; u < 8; u++) s += DCT[u * 8 + y]! * block[u * 8 + v]!;
          temp[y * 8 + v] = s;
        }
      }
      for (let y = 0; y < 8 && by + y < height; y++) {
        for (let x = 0; x < 8 && bx + x < width; x++) {
          let s = 0;
          for (let v = 0; v < 8; v++) s += temp[y * 8 + v]! * DCT[v * 8 + x]!;
          plane[(by + y) * width + bx + x] = s + 128;
        }
      }
    }
  }
}

/** `subsampleChroma` halves Cb/Cr resolution (4:2:0, libjpeg's default); jpeg-js encodes 4:4:4. */
export function simulateJpeg(image: FloatImage, quality: number, subsampleChroma = true): FloatImage {
  if (image.channels !== 3) throw new Error('simulateJpeg needs 3 channels');
  const { width, height } = image;
  const n = width * height;
  const luma = new Float32Array(n);
  const shift = subsampleChroma ? 1 : 0;
  const cw = Math.ceil(width / (1 + shift));
  const ch = Math.ceil(height / (1 + shift));
  const cb = new Float32Array(cw * ch);
  const cr = new Float32Array(cw * ch);
  const counts = new Float32Array(cw * ch);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const r = Math.round(Math.min(1, Math.max(0, image.data[i]!)) * 255);
      const g = Math.round(Math.min(1, Math.max(0, image.data[i + 1]!)) * 255);
      const b = Math.round(Math.min(1, Math.max(0, image.data[i + 2]!)) * 255);
      luma[y * width + x] = 0.299 * r + 0.587 * g + 0.114 * b;
      const c = (y >> shift) * cw + (x >> shift);
      cb[c]! += -0.168736 * r - 0.331264 * g + 0.5 * b + 128;
      cr[c]! += 0.5 * r - 0.418688 * g - 0.081312 * b + 128;
      counts[c]!++;
    }
  }
  for (let c = 0; c < cb.length; c++) {
    cb[c]! /= counts[c]!;
    cr[c]! /= counts[c]!;
  }
  quantisePlane(luma, width, height, scaledTable(LUMA_TABLE, quality));
  const chroma = scaledTable(CHROMA_TABLE, quality);
  quantisePlane(cb, cw, ch, chroma);
  quantisePlane(cr, cw, ch, chroma);
  const out = createFloatImage(width, height, 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const yv = luma[y * width + x]!;
      const c = (y >> shift) * cw + (x >> shift);
      const cbv = cb[c]! - 128;
      const crv = cr[c]! - 128;
      const i = (y * width + x) * 3;
      out.data[i] = Math.min(255, Math.max(0, Math.round(yv + 1.402 * crv))) / 255;
      out.data[i + 1] = Math.min(255, Math.max(0, Math.round(yv - 0.344136 * cbv - 0.714136 * crv))) / 255;
      out.data[i + 2] = Math.min(255, Math.max(0, Math.round(yv + 1.772 * cbv))) / 255;
    }
  }
  return out;
}
