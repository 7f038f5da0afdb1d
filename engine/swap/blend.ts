/**
 * Putting a generated face back into its frame, as pure maths:
 *   1. colour transfer: the generated face's L*a*b* mean and standard deviation, measured inside the mask, are
 *      moved onto those of the original face (Reinhard et al. 2001, "Color Transfer between Images");
 *   2. the predicted mask is eroded (so the seam sits inside the face) and feathered with a Gaussian;
 *   3. the face and the mask are warped back through the inverse alignment and alpha-blended into the frame.
 */
import { gaussianBlur, morphology } from '../imaging/filters.ts';
import {
  createFloatImage,
  invertAffine,
  sampleBilinear,
  type Affine,
  type FloatImage,
} from '../imaging/float-image.ts';
import type { RgbFrame } from '../video/frame.ts';

// sRGB (D65) ↔ CIE L*a*b*.
const WHITE = [0.95047, 1, 1.08883] as const;
const toLinear = (c: number) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
const toGamma = (c: number) => (c <= 0.0031308 ? 12.92 * c : 1.055 * c ** (1 / 2.4) - 0.055);
const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : ((24389 / 27) * t + 16) / 116);
const fInverse = (t: number) => (t ** 3 > 216 / 24389 ? t ** 3 : (116 * t - 16) / (24389 / 27));

export function rgbToLab(r: number, g: number, b: number): [number, number, number] {
  const R = toLinear(r);
  const G = toLinear(g);
  const B = toLinear(b);
  const x = f((0.4124564 * R + 0.3575761 * G + 0.1804375 * B) / WHITE[0]);
  const y = f((0.2126729 * R + 0.7151522 * G + 0.072175 * B) / WHITE[1]);
  const z = f((0.0193339 * R + 0.119192 * G + 0.9503041 * B) / WHITE[2]);
  return [116 * y - 16, 500 * (x - y), 200 * (y - z)];
}

export function labToRgb(l: number, a: number, bb: number): [number, number, number] {
  const fy = (l + 16) / 116;
  const X = fInverse(fy + a / 500) * WHITE[0];
  const Y = fInverse(fy) * WHITE[1];
  const Z = fInverse(fy - bb / 200) * WHITE[2];
  const clamp = (v: number) => Math.min(1, Math.max(0, toGamma(v)));
  return [
    clamp(3.2404542 * X - 1.5371385 * Y - 0.4985314 * Z),
    clamp(-0.969266 * X + 1.8760108 * Y + 0.041556 * Z),
    clamp(0.0556434 * X - 0.2040259 * Y + 1.0572252 * Z),
  ];
}

function labStats(lab: Float32Array, mask: FloatImage): { mean: number[]; std: number[] } {
  const mean = [0, 0, 0];
  const sq = [0, 0, 0];
  let weight = 0;
  for (let p = 0; p < mask.data.length; p++) {
    const w = mask.data[p]!;
    if (w <= 0) continue;
    weight += w;
    for (let c = 0; c < 3; c++) {
      mean[c]! += w * lab[p * 3 + c]!;
      sq[c]! += w * lab[p * 3 + c]! ** 2;
    }
  }
  if (weight === 0) return { mean: [0, 0, 0], std: [1, 1, 1] };
  const m = mean.map((v) => v / weight);
  return { mean: m, std: sq.map((v, c) => Math.sqrt(Math.max(1e-6, v / weight - m[c]! ** 2))) };
}

function toLab(image: FloatImage): Float32Array {
  const lab = new Float32Array(image.width * image.height * 3);
  for (let p = 0; p < image.width * image.height; p++) {
    const [l, a, b] = rgbToLab(image.data[p * 3]!, image.data[p * 3 + 1]!, image.data[p * 3 + 2]!);
    lab[p * 3] = l;
    lab[p * 3 + 1] = a;
    lab[p * 3 + 2] = b;
  }
  return lab;
}

/** `source` recoloured so that its L*a*b* mean/std inside `mask` equal `reference`'s inside `mask`. */
export function transferColourLab(source: FloatImage, reference: FloatImage, mask: FloatImage): FloatImage {
  const sourceLab = toLab(source);
  const s = labStats(sourceLab, mask);
  const r = labStats(toLab(reference), mask);
  const out = createFloatImage(source.width, source.height, 3);
  for (let p = 0; p < source.width * source.height; p++) {
    const lab = [0, 1, 2].map(
      (c) => ((sourceLab[p * 3 + c]! - s.mean[c]!) * r.std[c]!) / s.std[c]! + r.mean[c]!,
    );
    const [R, G, B] = labToRgb(lab[0]!, lab[1]!, lab[2]!);
    out.data[p * 3] = R;
    out.data[p * 3 + 1] = G;
    out.data[p * 3 + 2] = B;
  }
  return out;
}

/** Mask → eroded by `erodePx` (square window) → Gaussian feather of σ = `featherSigma`; values 0..1. */
export function featherMask(mask: FloatImage, erodePx: number, featherSigma: number): FloatImage {
  const hard = createFloatImage(mask.width, mask.height, 1);
  for (let i = 0; i < hard.data.length; i++) hard.data[i] = mask.data[i]! >= 0.5 ? 1 : 0;
  return gaussianBlur(morphology(hard, erodePx), featherSigma);
}

/**
 * Alpha-blends `face` (S×S×3) into a copy of `frame` with `alpha` (S×S×1), where `frameToCrop` is the alignment
 * that cut the face out (frame pixel → crop pixel). Only the crop's footprint is touched.
 */
export function pasteFace(
  frame: RgbFrame,
  face: FloatImage,
  alpha: FloatImage,
  frameToCrop: Affine,
): RgbFrame {
  const size = face.width;
  const out = { width: frame.width, height: frame.height, data: frame.data.slice() };
  const back = invertAffine(frameToCrop);
  const corners = [
    [0, 0],
    [size, 0],
    [0, size],
    [size, size],
  ].map(([u, v]) => [back[0] * u! + back[1] * v! + back[2], back[3] * u! + back[4] * v! + back[5]]);
  const x0 = Math.max(0, Math.floor(Math.min(...corners.map((c) => c[0]!))));
  const x1 = Math.min(frame.width - 1, Math.ceil(Math.max(...corners.map((c) => c[0]!))));
  const y0 = Math.max(0, Math.floor(Math.min(...corners.map((c) => c[1]!))));
  const y1 = Math.min(frame.height - 1, Math.ceil(Math.max(...corners.map((c) => c[1]!))));
  const [a, b, c, d, e, g] = frameToCrop;
  const alphaSample = new Float32Array(1);
  const faceSample = new Float32Array(3);
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const u = a * x + b * y + c;
      const v = d * x + e * y + g;
      if (u < 0 || v < 0 || u > size - 1 || v > size - 1) continue;
      sampleBilinear(alpha, u, v, alphaSample, 0);
      const m = alphaSample[0]!;
      if (m <= 1e-4) continue;
      sampleBilinear(face, u, v, faceSample, 0);
      const o = (y * frame.width + x) * 3;
      for (let ch = 0; ch < 3; ch++) {
        const value = faceSample[ch]!;
        out.data[o + ch] = Math.round(
          Math.min(255, Math.max(0, m * value * 255 + (1 - m) * frame.data[o + ch]!)),
        );
      }
    }
  }
  return out;
}
