/**
 * The two gradients of a 2-D convolution (NHWC, dilation 1), written as one forward `conv2d` each plus cheap
 * reshapes/transposes, so that on the wasm backend all the arithmetic runs in XNNPACK's fast convolution.
 * Pure tensor maths: works on any backend, returns a tensor the caller owns, leaves no intermediates behind.
 *
 * Notation (forward conv): x[n, i, j, ic] (H×W), filter w[a, b, ic, oc] (kh×kw), stride (sh, sw), top/left
 * padding (pt, pl) from `computeConv2DInfo`, output y[n, u, v, oc] (oh×ow):
 *   y[n, u, v, oc] = Σ_{a, b, ic} x[n, u·sh + a − pt, v·sw + b − pl, ic] · w[a, b, ic, oc]   (x is 0 outside).
 */
import * as tf from '@tensorflow/tfjs';

export type Conv2DPad = tf.Conv2DBackpropInputAttrs['pad'];
export type DimRoundingMode = tf.Conv2DBackpropInputAttrs['dimRoundingMode'];
type Shape4D = [number, number, number, number];

export interface Conv2DGradParams {
  strides: number | [number, number];
  pad: Conv2DPad;
  dimRoundingMode?: DimRoundingMode;
}

/** The conv geometry both gradients work from (also what `backpropInputPhases` takes). */
export function conv2dGradInfo(
  xShape: Shape4D,
  filterShape: Shape4D,
  p: Conv2DGradParams,
): tf.backend_util.Conv2DInfo {
  if (xShape[3] !== filterShape[2]) {
    throw new Error(`input has ${xShape[3]} channels but the filter expects ${filterShape[2]}`);
  }
  return tf.backend_util.computeConv2DInfo(
    xShape,
    filterShape,
    p.strides,
    1,
    p.pad,
    p.dimRoundingMode,
    false,
    'channelsLast',
  );
}

/** A conv gradient's dy must have exactly the conv's output shape (depthwise too: its out channels are C·m). */
export function checkDyShape(
  kernelName: string,
  dyShape: readonly number[],
  info: tf.backend_util.Conv2DInfo,
): void {
  const expected = [info.batchSize, info.outHeight, info.outWidth, info.outChannels];
  if (dyShape.length !== 4 || dyShape.some((d, i) => d !== expected[i])) {
    throw new Error(`${kernelName}: dy has shape [${dyShape.join(', ')}], expected [${expected.join(', ')}]`);
  }
}

function checkDy(dy: tf.Tensor4D, info: tf.backend_util.Conv2DInfo, what: string): void {
  if (dy.shape[0] !== info.batchSize || dy.shape[3] !== info.outChannels) {
    throw new Error(
      `${what}: dy shape [${dy.shape.join(', ')}] does not match batch ${info.batchSize} / out channels ${info.outChannels}`,
    );
  }
}

/**
 * t[:, top : top + h, left : left + w, :]. tfjs-wasm's Slice copies one innermost row at a time in JavaScript,
 * so slicing a 4-D NHWC tensor copies C floats per call; viewing it as [N, H, W·C] (rows) and then [N·h, W·C]
 * (columns) makes every copied run long.
 */
export function crop4d(t: tf.Tensor4D, top: number, left: number, h: number, w: number): tf.Tensor4D {
  const [n, H, W, c] = t.shape;
  if (top === 0 && left === 0 && h === H && w === W) return t;
  return tf.tidy(() => {
    let r: tf.Tensor = t;
    if (top !== 0 || h !== H) r = tf.slice(tf.reshape(r, [n, H, W * c]), [0, top, 0], [n, h, W * c]);
    if (left !== 0 || w !== W) r = tf.slice(tf.reshape(r, [n * h, W * c]), [0, left * c], [n * h, w * c]);
    return tf.reshape(r, [n, h, w, c]);
  });
}

/**
 * Pads (positive) or crops (negative) the two spatial dims of an NHWC tensor, returning the tensor to feed a
 * convolution and the non-negative explicit padding to give it.
 */
export function padOrCrop(
  t: tf.Tensor4D,
  top: number,
  bottom: number,
  left: number,
  right: number,
): { t: tf.Tensor4D; pad: tf.backend_util.ExplicitPadding } {
  const [, H, W] = t.shape;
  const ct = Math.max(0, -top);
  const cb = Math.max(0, -bottom);
  const cl = Math.max(0, -left);
  const cr = Math.max(0, -right);
  return {
    t: crop4d(t, ct, cl, H - ct - cb, W - cl - cr),
    pad: [
      [0, 0],
      [Math.max(0, top), Math.max(0, bottom)],
      [Math.max(0, left), Math.max(0, right)],
      [0, 0],
    ],
  };
}

/**
 * dx = ∂L/∂x given dy = ∂L/∂y (also the forward pass of conv2dTranspose).
 *
 *   dx[n, i, j, ic] = Σ_{oc; y·sh + a = i + pt; x·sw + b = j + pl} dy[n, y, x, oc] · w[a, b, ic, oc].
 * Instead of inserting (s − 1) zeros between dy's pixels and running a full conv (s² times the work, mostly on
 * zeros; 1.5–3× slower here), split the rows of the padded gradient by phase: write I = i + pt = q·sh + r (0 ≤ r < sh). Only taps a = m·sh + r hit phase r, and
 * then y = q − m, so
 *   dxpad[q·sh + r] = Σ_m dy[q − m] · w[m·sh + r]               (m < M = ⌈kh / sh⌉, w zero past kh)
 * which is a stride-1 correlation of dy with the filter flipped in m (likewise columns, P = ⌈kw / sw⌉). All sh·sw
 * phases share one conv whose sh·sw·ic output channels hold g[M−1−m, P−1−p, oc, (r, c, ic)] = w[m·sh + r,
 * p·sw + c, ic, oc]; interleaving the phases back ("depth to space") is one reshape/transpose. For stride 1 this
 * is the usual full conv with the 180°-rotated, in/out-swapped filter. The conv's padding is chosen so that it
 * computes just the rows q0 … q1 that cover I ∈ [pt, pt + H), and negative padding crops dy.
 * That merged conv multiplies zeros where kh is not a multiple of sh (a 5×5 stride-2 filter has 36 taps for 25),
 * and computes grid rows outside the input, a large share on small maps (5×5 rows for a 4×4 phase). Where the
 * strides divide the input, each phase instead gets its own conv with only its taps (`backpropInputPhases`).
 */
export function conv2dBackpropInputViaConv(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  inputShape: Shape4D,
  p: Conv2DGradParams,
  phases?: 'merged' | 'exact',
): tf.Tensor4D {
  const info = conv2dGradInfo(inputShape, filter.shape, p);
  checkDy(dy, info, 'Conv2DBackpropInput');
  const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw } = info;
  const { inChannels: ic, outChannels: oc, inHeight: H, inWidth: W, batchSize: n } = info;
  const { top: pt, left: pl } = info.padInfo;
  const [, oh, ow] = dy.shape;
  const M = Math.ceil(kh / sh);
  const P = Math.ceil(kw / sw);
  const { q0, q1, v0, v1 } = phaseGrid(info);
  const plan = phases ?? backpropInputPhases(info);
  if (plan === 'exact' && (H % sh !== 0 || W % sw !== 0)) {
    throw new RangeError(
      `one conv per phase needs strides that divide the input (${H}×${W}, stride ${sh}×${sw})`,
    );
  }
  return plan === 'exact' ? exactPhases() : mergedPhases();

  /** The filter as [M, P, oc, (sh, sw, ic)], zero-padded to M·sh × P·sw taps and flipped in (m, p). */
  function phaseFilter(): tf.Tensor4D {
    // Filter: [kh, kw, ic, oc] → zero-pad to [M·sh, P·sw, ic, oc] = [M, sh, P, (sw, ic), oc]
    //         → [M, P, oc, sh, (sw, ic)] (a rank-5 transpose: wasm's rank-6 one is 30× slower).
    let g: tf.Tensor = filter;
    if (M * sh !== kh || P * sw !== kw) {
      g = tf.pad(g, [
        [0, M * sh - kh],
        [0, P * sw - kw],
        [0, 0],
        [0, 0],
      ]);
    }
    g = tf.transpose(tf.reshape(g, [M, sh, P, sw * ic, oc]), [0, 2, 4, 1, 3]);
    // Flip (m, p) → (M − 1 − m, P − 1 − p), which reverses the merged index m·P + p. Unstack + stack are plain
    // copies; wasm's Reverse kernel is about 10× slower on these shapes.
    if (M * P > 1) g = tf.stack(tf.unstack(tf.reshape(g, [M * P, oc * sh * sw * ic])).reverse());
    return tf.reshape(g, [M, P, oc, sh * sw * ic]);
  }

  /** [n, Q, V, (sh, sw, ic)] → [n·Q, sh, V, sw·ic] → [n, Q·sh, V·sw, ic]: interleave the phases. */
  function interleave(out: tf.Tensor4D, Q: number, V: number): tf.Tensor4D {
    return tf.reshape(tf.transpose(tf.reshape(out, [n * Q, V, sh, sw * ic]), [0, 2, 1, 3]), [
      n,
      Q * sh,
      V * sw,
      ic,
    ]);
  }

  /** All sh·sw phases in one conv over the grid q0 … q1 × v0 … v1, then cropped to the input. */
  function mergedPhases(): tf.Tensor4D {
    return tf.tidy(() => {
      const g = phaseFilter();
      // Output row q − q0 reads dy rows q − (M − 1) … q: top padding M − 1 − q0, bottom padding q1 − (oh − 1).
      const src = padOrCrop(dy, M - 1 - q0, q1 + 1 - oh, P - 1 - v0, v1 + 1 - ow);
      const out: tf.Tensor4D = tf.conv2d(src.t, g, 1, src.pad);
      if (sh === 1 && sw === 1) return out;
      const interleaved = interleave(out, q1 - q0 + 1, v1 - v0 + 1);
      return crop4d(interleaved, pt - q0 * sh, pl - v0 * sw, H, W);
    });
  }

  /**
   * One conv per phase with only that phase's taps (M_r = ⌈(kh − r) / sh⌉ rows of them) and only the rows that
   * land inside the input. Needs H, W divisible by the strides, so that every phase has H/sh × W/sw pixels.
   * Output row i = k·sh + j is phase r = (pt + j) mod sh, its k-th row; columns likewise.
   */
  function exactPhases(): tf.Tensor4D {
    const Q = H / sh;
    const V = W / sw;
    return tf.tidy(() => {
      const g = phaseFilter();
      const blocks: tf.Tensor4D[] = [];
      for (let j = 0; j < sh; j++) {
        const r = (pt + j) % sh;
        const Mr = phaseTaps(kh - r, sh);
        const qr0 = Math.ceil((pt - r) / sh);
        for (let jc = 0; jc < sw; jc++) {
          const c = (pl + jc) % sw;
          const Pc = phaseTaps(kw - c, sw);
          const vc0 = Math.ceil((pl - c) / sw);
          if (Mr === 0 || Pc === 0) {
            blocks.push(tf.zeros([n, Q, V, ic]));
            continue;
          }
          const gr = tf.slice(g, [M - Mr, P - Pc, 0, (r * sw + c) * ic], [Mr, Pc, oc, ic]);
          const src = padOrCrop(dy, Mr - 1 - qr0, qr0 + Q - oh, Pc - 1 - vc0, vc0 + V - ow);
          blocks.push(tf.conv2d(src.t, gr, 1, src.pad));
        }
      }
      return interleave(tf.concat(blocks, 3), Q, V);
    });
  }
}

/** Rows q0 … q1 (columns v0 … v1) of the phase grid that cover the unpadded input [pt, pt + H). */
function phaseGrid(info: tf.backend_util.Conv2DInfo): { q0: number; q1: number; v0: number; v1: number } {
  const { strideHeight: sh, strideWidth: sw, inHeight: H, inWidth: W } = info;
  const { top: pt, left: pl } = info.padInfo;
  return {
    q0: Math.floor(pt / sh),
    q1: Math.ceil((pt + H) / sh) - 1,
    v0: Math.floor(pl / sw),
    v1: Math.ceil((pl + W) / sw) - 1,
  };
}

/**
 * How conv2dBackpropInputViaConv splits a strided gradient: 'exact' (one conv per phase) where every phase has
 * the same number of pixels and the single merged conv would do at least EXACT_PHASES_MIN_SAVING times the
 * multiply-adds (its zero taps plus its grid rows outside the input); 'merged' otherwise, and for stride 1.
 * A phase's conv has only ic output channels, too few for XNNPACK's 8-wide kernels below EXACT_PHASES_MIN_CHANNELS
 * (an image's 3: one conv with sh·sw·3 channels is faster there, bench/wasm-kernels.bench.ts).
 */
export function backpropInputPhases(info: tf.backend_util.Conv2DInfo): 'merged' | 'exact' {
  const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw } = info;
  const { inHeight: H, inWidth: W, inChannels: ic } = info;
  if (sh * sw === 1 || H % sh !== 0 || W % sw !== 0 || ic < EXACT_PHASES_MIN_CHANNELS) return 'merged';
  const { q0, q1, v0, v1 } = phaseGrid(info);
  // Multiply-adds per (n, ic, oc): the merged grid's sh·sw phases × M·P taps, against each tap once per pixel.
  const merged = (q1 - q0 + 1) * (v1 - v0 + 1) * sh * sw * Math.ceil(kh / sh) * Math.ceil(kw / sw);
  const needed = (H / sh) * (W / sw) * kh * kw;
  return merged >= EXACT_PHASES_MIN_SAVING * needed ? 'exact' : 'merged';
}

/** How many taps a ∈ [r, k) have a ≡ r (mod stride), given span = k − r: the taps of phase r. */
function phaseTaps(span: number, stride: number): number {
  return span > 0 ? Math.ceil(span / stride) : 0;
}

/** See backpropInputPhases: below this saving, one conv's lower overhead beats sh·sw convs. */
const EXACT_PHASES_MIN_SAVING = 1.2;
const EXACT_PHASES_MIN_CHANNELS = 8;

/**
 * dw = ∂L/∂w given x and dy:
 *   dw[a, b, ic, oc] = Σ_{n, y, x} xpad[n, y·sh + a, x·sw + b, ic] · dy[n, y, x, oc]
 * Reading the batch as channels, this is itself a convolution: input xᵀ = x transposed to [ic, H, W, n]
 * (batch = ic, channels = n), filter dyᵀ = dy transposed to [oh, ow, n, oc], stride 1 and dilation (sh, sw);
 * the output [ic, kh, kw, oc] is transposed to [kh, kw, ic, oc]. Padding: pt on top, and at the bottom whatever
 * makes the output exactly kh rows, kh + (oh − 1)·sh − H − pt (negative: those rows of x never meet dy, crop them).
 * (The alternative, im2col by strided slices + one matMul, measured 20× slower on wasm.)
 */
export function conv2dBackpropFilterViaConv(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: Shape4D,
  p: Conv2DGradParams,
): tf.Tensor4D {
  const info = conv2dGradInfo(x.shape, filterShape, p);
  checkDy(dy, info, 'Conv2DBackpropFilter');
  const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw } = info;
  const { inHeight: H, inWidth: W } = info;
  const { top: pt, left: pl } = info.padInfo;
  const [, oh, ow] = dy.shape;
  return tf.tidy(() => {
    const src = padOrCrop(x, pt, kh + (oh - 1) * sh - H - pt, pl, kw + (ow - 1) * sw - W - pl);
    const xt = tf.transpose(src.t, [3, 1, 2, 0]);
    const dyt = tf.transpose(dy, [1, 2, 0, 3]);
    const dwt = tf.conv2d(xt, dyt, 1, src.pad, 'NHWC', [sh, sw]);
    return tf.transpose(dwt, [1, 2, 0, 3]);
  });
}
