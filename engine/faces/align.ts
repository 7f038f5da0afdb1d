/**
 * Face alignment: a least-squares similarity from detected keypoints onto a canonical template, and a bilinear
 * crop through it. Pure maths on plain arrays (no tensors), so it runs anywhere and is exact to test.
 *
 * Pixel convention (OpenCV's): pixel (i, j) has its centre at (i, j); x to the right, y down.
 */
import {
  invertAffine,
  samplesPerAxis,
  subSampleOffset,
  type Affine,
  type Resampling,
} from '../imaging/float-image.ts';
import type { Point } from '../imaging/polygon.ts';
import type { RgbFrame } from '../video/frame.ts';

export type { Point };
export { invertAffine };

/** Row-major 2×3 affine matrix: x' = m[0]·x + m[1]·y + m[2], y' = m[3]·x + m[4]·y + m[5]. */
export type Matrix2x3 = Affine;

/** A similarity transform (uniform scale, rotation, translation; never a reflection). */
export interface Similarity {
  matrix: Matrix2x3;
  scale: number;
  /** Radians; positive turns +x towards +y (clockwise on screen, since y points down). */
  rotation: number;
  translation: Point;
}

/** Five stable keypoints, named as seen in the image: `leftEye` is the eye with the smaller x in an upright face. */
export interface FaceKeypoints {
  leftEye: Point;
  rightEye: Point;
  noseTip: Point;
  mouthLeft: Point;
  mouthRight: Point;
}

export const KEYPOINT_ORDER = ['leftEye', 'rightEye', 'noseTip', 'mouthLeft', 'mouthRight'] as const;

/**
 * ArcFace's 5-point template (insightface `utils/face_align.py`, `arcface_dst`, defined on a 112×112 crop:
 * (38.2946, 51.6963), (73.5318, 51.5014), (56.0252, 71.7366), (41.5493, 92.3655), (70.7299, 92.2041)) divided by
 * 112, in KEYPOINT_ORDER. Eyes are eye centres, mouth points are the mouth corners.
 */
export const ARCFACE_TEMPLATE: readonly Point[] = [
  [38.2946 / 112, 51.6963 / 112],
  [73.5318 / 112, 51.5014 / 112],
  [56.0252 / 112, 71.7366 / 112],
  [41.5493 / 112, 92.3655 / 112],
  [70.7299 / 112, 92.2041 / 112],
];

export function similarityFromParams(scale: number, rotation: number, tx: number, ty: number): Similarity {
  const a = scale * Math.cos(rotation);
  const b = scale * Math.sin(rotation);
  return { matrix: [a, -b, tx, b, a, ty], scale, rotation, translation: [tx, ty] };
}

function similarityFromAB(a: number, b: number, tx: number, ty: number): Similarity {
  return {
    matrix: [a, -b, tx, b, a, ty],
    scale: Math.hypot(a, b),
    rotation: Math.atan2(b, a),
    translation: [tx, ty],
  };
}

export function applyAffine(m: Matrix2x3, p: Point): [number, number] {
  return [m[0] * p[0] + m[1] * p[1] + m[2], m[3] * p[0] + m[4] * p[1] + m[5]];
}

export function applySimilarity(s: Similarity, p: Point): [number, number] {
  return applyAffine(s.matrix, p);
}

export function invertSimilarity(s: Similarity): Similarity {
  const [a, , , b] = s.matrix;
  const n = a * a + b * b;
  if (!(n > 0)) throw new RangeError('similarity with zero scale is not invertible');
  const ia = a / n;
  const ib = -b / n;
  const [tx, ty] = s.translation;
  return similarityFromAB(ia, ib, -(ia * tx - ib * ty), -(ib * tx + ia * ty));
}

/** `first` then `second` (maps p to second(first(p))). */
export function composeSimilarity(first: Similarity, second: Similarity): Similarity {
  const [a1, , tx1, b1, , ty1] = first.matrix;
  const [a2, , tx2, b2, , ty2] = second.matrix;
  return similarityFromAB(
    a2 * a1 - b2 * b1,
    a2 * b1 + b2 * a1,
    a2 * tx1 - b2 * ty1 + tx2,
    b2 * tx1 + a2 * ty1 + ty2,
  );
}

/**
 * Least-squares similarity mapping `src` onto `dst` (Umeyama 1991, "Least-squares estimation of transformation
 * parameters between two point patterns"). In 2-D the SVD of Umeyama's 2×2 covariance reduces to a closed form:
 * with centred points written as complex numbers, the optimal scaled rotation is z = Σ conj(s)·d / Σ|s|².
 * Writing it as [a −b; b a] keeps det = a² + b² ≥ 0, which is what Umeyama's S = diag(1, sign det) guard does:
 * a reflection is never returned, even for mirrored point sets.
 */
export function umeyama(src: readonly Point[], dst: readonly Point[]): Similarity {
  const n = src.length;
  if (n !== dst.length)
    throw new RangeError(`umeyama: ${n} source points but ${dst.length} destination points`);
  if (n < 2) throw new RangeError('umeyama: need at least 2 point pairs');
  let sx = 0;
  let sy = 0;
  let dx = 0;
  let dy = 0;
  for (let i = 0; i < n; i++) {
    sx += src[i]![0];
    sy += src[i]![1];
    dx += dst[i]![0];
    dy += dst[i]![1];
  }
  sx /= n;
  sy /= n;
  dx /= n;
  dy /= n;
  let dot = 0;
  let cross = 0;
  let norm = 0;
  for (let i = 0; i < n; i++) {
    const px = src[i]![0] - sx;
    const py = src[i]![1] - sy;
    const qx = dst[i]![0] - dx;
    const qy = dst[i]![1] - dy;
    dot += px * qx + py * qy;
    cross += px * qy - py * qx;
    norm += px * px + py * py;
  }
  if (!(norm > 1e-12) || !Number.isFinite(dot + cross)) {
    throw new RangeError('umeyama: source points are coincident or not finite');
  }
  const a = dot / norm;
  const b = cross / norm;
  return similarityFromAB(a, b, dx - (a * sx - b * sy), dy - (b * sx + a * sy));
}

export interface AlignmentOptions {
  /**
   * Context around the template face, as a fraction of the template crop added on each side. 0 reproduces the
   * ArcFace 112×112 framing; 0.25 shrinks that framing to the central 1/1.5 of the crop. Default 0.
   */
  margin?: number;
  /** Template in unit crop coordinates, in KEYPOINT_ORDER (default ARCFACE_TEMPLATE). */
  template?: readonly Point[];
}

/** Template keypoints in pixels of a size×size crop. */
export function alignmentTemplate(size: number, options: AlignmentOptions = {}): Point[] {
  const margin = options.margin ?? 0;
  if (!(margin > -0.5)) throw new RangeError('alignment margin must be greater than -0.5');
  const shrink = 1 / (1 + 2 * margin);
  return (options.template ?? ARCFACE_TEMPLATE).map(
    ([u, v]) => [(0.5 + (u - 0.5) * shrink) * size, (0.5 + (v - 0.5) * shrink) * size] as const,
  );
}

export function keypointList(k: FaceKeypoints): Point[] {
  return KEYPOINT_ORDER.map((name) => k[name]);
}

/** Frame→crop similarity that puts `keypoints` onto the template of a size×size crop. */
export function alignmentTransform(
  keypoints: FaceKeypoints | readonly Point[],
  size: number,
  options: AlignmentOptions = {},
): Similarity {
  if (!(size > 0)) throw new RangeError('alignment size must be positive');
  const src = Array.isArray(keypoints)
    ? (keypoints as readonly Point[])
    : keypointList(keypoints as FaceKeypoints);
  return umeyama(src, alignmentTemplate(size, options));
}

/**
 * Resamples `frame` through the frame→crop transform `m` into a width×height RGB image: bilinear, or averaged
 * over each output pixel's footprint where the warp shrinks (`resampling` = 'area'; see `Resampling`). Samples
 * outside the frame read as black, like OpenCV's BORDER_CONSTANT.
 */
export function warpAffineRgb(
  frame: RgbFrame,
  m: Similarity | Matrix2x3,
  size: number | { width: number; height: number },
  resampling: Resampling = 'bilinear',
): RgbFrame {
  const width = typeof size === 'number' ? size : size.width;
  const height = typeof size === 'number' ? size : size.height;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`warp size must be positive integers, got ${width}×${height}`);
  }
  const { width: fw, height: fh, data: src } = frame;
  if (src.length !== fw * fh * 3) throw new RangeError('frame data length is not width*height*3');
  const [a, b, c, d, e, f] = invertAffine('matrix' in m ? m.matrix : m);
  const out = new Uint8Array(width * height * 3);
  const nx = samplesPerAxis(resampling, a, d);
  const ny = samplesPerAxis(resampling, b, e);
  const sum = new Float64Array(3);
  const weight = 1 / (nx * ny);
  let o = 0;
  for (let v = 0; v < height; v++) {
    for (let u = 0; u < width; u++, o += 3) {
      sum.fill(0);
      for (let j = 0; j < ny; j++) {
        const vv = v + subSampleOffset(j, ny);
        for (let i = 0; i < nx; i++) {
          const uu = u + subSampleOffset(i, nx);
          addBilinearRgb(src, fw, fh, a * uu + b * vv + c, d * uu + e * vv + f, weight, sum);
        }
      }
      out[o] = sum[0]! + 0.5;
      out[o + 1] = sum[1]! + 0.5;
      out[o + 2] = sum[2]! + 0.5;
    }
  }
  return { width, height, data: out };
}

/** Adds `weight` × the bilinear RGB sample of `src` (fw×fh) at (x, y) into `sum`; outside the frame is black. */
function addBilinearRgb(
  src: Uint8Array,
  fw: number,
  fh: number,
  x: number,
  y: number,
  weight: number,
  sum: Float64Array,
): void {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  if (x0 < -1 || y0 < -1 || x0 >= fw || y0 >= fh) return;
  const fx = x - x0;
  const fy = y - y0;
  const w00 = (1 - fx) * (1 - fy) * weight;
  const w10 = fx * (1 - fy) * weight;
  const w01 = (1 - fx) * fy * weight;
  const w11 = fx * fy * weight;
  const stride = fw * 3;
  const i00 = y0 * stride + x0 * 3;
  if (x0 >= 0 && y0 >= 0 && x0 + 1 < fw && y0 + 1 < fh) {
    const i10 = i00 + 3;
    const i01 = i00 + stride;
    const i11 = i01 + 3;
    for (let ch = 0; ch < 3; ch++) {
      sum[ch]! += w00 * src[i00 + ch]! + w10 * src[i10 + ch]! + w01 * src[i01 + ch]! + w11 * src[i11 + ch]!;
    }
    return;
  }
  const in0 = x0 >= 0;
  const in1 = x0 + 1 < fw;
  const row0 = y0 >= 0;
  const row1 = y0 + 1 < fh;
  for (let ch = 0; ch < 3; ch++) {
    let s = 0;
    if (row0 && in0) s += w00 * src[i00 + ch]!;
    if (row0 && in1) s += w10 * src[i00 + 3 + ch]!;
    if (row1 && in0) s += w01 * src[i00 + stride + ch]!;
    if (row1 && in1) s += w11 * src[i00 + stride + 3 + ch]!;
    sum[ch]! += s;
  }
}

export interface AlignedFace {
  crop: RgbFrame;
  /** Frame→crop transform; invertSimilarity maps crop results back onto the frame. */
  transform: Similarity;
}

/** Aligns and crops one face: keypoints onto the template, then a size×size bilinear crop. */
export function alignFace(
  frame: RgbFrame,
  keypoints: FaceKeypoints | readonly Point[],
  size: number,
  options: AlignmentOptions = {},
): AlignedFace {
  const transform = alignmentTransform(keypoints, size, options);
  return { crop: warpAffineRgb(frame, transform, size), transform };
}
