/**
 * The two gradients of a depthwise 2-D convolution (NHWC, dilation 1, any channel multiplier) written as forward
 * ops: the input gradient as one forward depthwise conv over dy, the filter gradient as one strided slice of x,
 * a product and a sum per tap. The wasm kernels (./register.ts) run our SIMD loops (./simd-kernels.ts) instead,
 * and come here only for a channel multiplier above 1, or a backend build the SIMD module cannot join.
 * Pure tensor maths: works on any backend, returns a tensor the caller owns, leaves no intermediates behind.
 *
 * Notation: x[n, i, j, c] (H×W), filter w[a, b, c, q] (kh×kw, channel multiplier m), stride (sh, sw), top/left
 * padding (pt, pl) from `computeConv2DInfo`, output y[n, u, v, c·m + q] (oh×ow):
 *   y[n, u, v, c·m + q] = Σ_{a, b} x[n, u·sh + a − pt, v·sw + b − pl, c] · w[a, b, c, q]   (x is 0 outside).
 */
import * as tf from '@tensorflow/tfjs';
import { checkDyShape, padOrCrop, type Conv2DGradParams } from './conv2d-backprop.ts';

type Shape4D = [number, number, number, number];

export interface DepthwiseGradParams extends Conv2DGradParams {
  dilations?: number | [number, number];
}

/**
 * The conv geometry of both gradients (depthwise: dy has C·m channels). Throws for a dilation other than 1, which
 * these kernels do not support (tfjs-core's depthwiseConv2d gradient refuses it before it gets here anyway).
 */
export function depthwiseGradInfo(
  kernelName: string,
  xShape: Shape4D,
  filterShape: Shape4D,
  p: DepthwiseGradParams,
): tf.backend_util.Conv2DInfo {
  const d = p.dilations ?? 1;
  const [dh, dw] = typeof d === 'number' ? [d, d] : d;
  if (dh !== 1 || dw !== 1) {
    throw new Error(`${kernelName} on the wasm backend supports dilation 1 only, got [${dh}, ${dw}]`);
  }
  if (xShape[3] !== filterShape[2]) {
    throw new Error(
      `${kernelName}: input has ${xShape[3]} channels but the filter expects ${filterShape[2]}`,
    );
  }
  return tf.backend_util.computeConv2DInfo(
    xShape,
    filterShape,
    p.strides,
    1,
    p.pad,
    p.dimRoundingMode,
    true,
    'channelsLast',
  );
}

/**
 * dx = ∂L/∂x given dy. With dy dilated by the strides (dyd[U·sh] = dy[U], zeros between),
 *   dx[n, i, j, c] = Σ_q Σ_{a, b} dyd[n, i + pt − a, j + pl − b, c·m + q] · w[a, b, c, q],
 * a stride-1 depthwise conv of dyd with the filter turned 180°, padded by kh − 1 − pt on top (negative: crop) and
 * at the bottom by what makes exactly H rows; with m > 1, then a sum over each channel's m outputs.
 */
export function depthwiseBackpropInputViaConv(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  inputShape: Shape4D,
  p: DepthwiseGradParams,
): tf.Tensor4D {
  const kernel = tf.DepthwiseConv2dNativeBackpropInput;
  const info = depthwiseGradInfo(kernel, inputShape, filter.shape, p);
  checkDyShape(kernel, dy.shape, info);
  const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw } = info;
  const { batchSize: n, inHeight: H, inWidth: W, inChannels: c, outChannels: cm } = info;
  const [, oh, ow] = dy.shape;
  return tf.tidy(() => {
    let dilated: tf.Tensor4D = dy;
    if (sh > 1 || sw > 1) {
      const spread = tf.pad(tf.reshape(dy, [n * oh, 1, ow, 1, cm]), [
        [0, 0],
        [0, sh - 1],
        [0, 0],
        [0, sw - 1],
        [0, 0],
      ]);
      dilated = tf.reshape(spread, [n, oh * sh, ow * sw, cm]);
    }
    const top = kh - 1 - info.padInfo.top;
    const left = kw - 1 - info.padInfo.left;
    const src = padOrCrop(dilated, top, H + kh - 1 - top - oh * sh, left, W + kw - 1 - left - ow * sw);
    const turned = tf.reshape(tf.reverse(filter, [0, 1]), [kh, kw, cm, 1]) as tf.Tensor4D;
    const dx = tf.depthwiseConv2d(src.t, turned, 1, src.pad);
    return cm === c ? dx : tf.sum(tf.reshape(dx, [n, H, W, c, cm / c]), 4);
  });
}

/**
 * dw = ∂L/∂w given x and dy:
 *   dw[a, b, c, q] = Σ_{n, u, v} xpad[n, u·sh + a, v·sw + b, c] · dy[n, u, v, c·m + q],
 * one strided slice of the padded x per tap (oh × ow pixels, stride (sh, sw), from (a, b)), times dy, summed.
 */
export function depthwiseBackpropFilterViaSlices(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: Shape4D,
  p: DepthwiseGradParams,
): tf.Tensor4D {
  const kernel = tf.DepthwiseConv2dNativeBackpropFilter;
  const info = depthwiseGradInfo(kernel, x.shape, filterShape, p);
  checkDyShape(kernel, dy.shape, info);
  const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw } = info;
  const { batchSize: n, inHeight: H, inWidth: W, inChannels: c, outChannels: cm } = info;
  const { top: pt, left: pl } = info.padInfo;
  const [, oh, ow] = dy.shape;
  const m = cm / c;
  return tf.tidy(() => {
    // Rows up to (oh − 1)·sh + kh − 1 of the padded x are read; rows of x past them are cropped.
    const src = padOrCrop(x, pt, (oh - 1) * sh + kh - pt - H, pl, (ow - 1) * sw + kw - pl - W);
    const padded = tf.pad(src.t, src.pad);
    const grads = tf.reshape(dy, [n, oh, ow, c, m]);
    const taps: tf.Tensor[] = [];
    for (let a = 0; a < kh; a++) {
      for (let b = 0; b < kw; b++) {
        const end = [n, a + (oh - 1) * sh + 1, b + (ow - 1) * sw + 1, c];
        const window = tf.stridedSlice(padded, [0, a, b, 0], end, [1, sh, sw, 1]);
        taps.push(tf.sum(tf.mul(tf.reshape(window, [n, oh, ow, c, 1]), grads), [0, 1, 2]));
      }
    }
    return tf.reshape(tf.stack(taps), filterShape);
  });
}
