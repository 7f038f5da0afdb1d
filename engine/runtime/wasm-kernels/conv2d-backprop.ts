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

function convInfo(xShape: Shape4D, filterShape: Shape4D, p: Conv2DGradParams): tf.backend_util.Conv2DInfo {
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
function padOrCrop(
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
 */
export function conv2dBackpropInputViaConv(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  inputShape: Shape4D,
  p: Conv2DGradParams,
): tf.Tensor4D {
  const info = convInfo(inputShape, filter.shape, p);
  checkDy(dy, info, 'Conv2DBackpropInput');
  const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw } = info;
  const { inChannels: ic, outChannels: oc, inHeight: H, inWidth: W, batchSize: n } = info;
  const { top: pt, left: pl } = info.padInfo;
  const [, oh, ow] = dy.shape;
  const M = Math.ceil(kh / sh);
  const P = Math.ceil(kw / sw);
  return tf.tidy(() => {
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
    g = tf.reshape(g, [M, P, oc, sh * sw * ic]);

    // Rows q0 … q1 (columns v0 … v1) of the phase grid cover the unpadded input [pt, pt + H).
    const q0 = Math.floor(pt / sh);
    const q1 = Math.ceil((pt + H) / sh) - 1;
    const v0 = Math.floor(pl / sw);
    const v1 = Math.ceil((pl + W) / sw) - 1;
    // Output row q − q0 reads dy rows q − (M − 1) … q: top padding M − 1 − q0, bottom padding q1 − (oh − 1).
    const src = padOrCrop(dy, M - 1 - q0, q1 + 1 - oh, P - 1 - v0, v1 + 1 - ow);
    let out: tf.Tensor4D = tf.conv2d(src.t, g as tf.Tensor4D, 1, src.pad);
    if (sh === 1 && sw === 1) return out;

    // [n, Q, V, (sh, sw, ic)] → [n·Q, sh, V, sw·ic] → [n, Q·sh, V·sw, ic]: interleave the phases.
    const Q = q1 - q0 + 1;
    const V = v1 - v0 + 1;
    out = tf.reshape(tf.transpose(tf.reshape(out, [n * Q, V, sh, sw * ic]), [0, 2, 1, 3]), [
      n,
      Q * sh,
      V * sw,
      ic,
    ]);
    return crop4d(out, pt - q0 * sh, pl - v0 * sw, H, W);
  });
}

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
  const info = convInfo(x.shape, filterShape, p);
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
