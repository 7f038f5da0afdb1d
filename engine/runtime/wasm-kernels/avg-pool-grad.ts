/**
 * The gradient of a stride-1, unpadded ("valid") average pool as one forward average pool: every input pixel
 * receives dy/(kh·kw) from each window that covers it, which is the box average of dy padded by (kh − 1, kw − 1)
 * on every side (a box is its own 180° rotation). tfjs-backend-wasm's AvgPoolGrad is a direct loop that took
 * 17 ms for the 7×7 SSIM windows of a 8×64×64×3 batch, ten times its forward pool; this runs in the forward's
 * time. Other strides and paddings return undefined (the caller keeps the stock kernel for them).
 */
import * as tf from '@tensorflow/tfjs';

type Shape4D = [number, number, number, number];

export interface AvgPoolGradParams {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: tf.AvgPoolGradAttrs['pad'];
}

export function avgPoolGradViaPool(
  dy: tf.Tensor4D,
  inputShape: Shape4D,
  p: AvgPoolGradParams,
): tf.Tensor4D | undefined {
  const info = tf.backend_util.computePool2DInfo(inputShape, p.filterSize, p.strides, 1, p.pad);
  const { top, bottom, left, right } = info.padInfo;
  if (info.strideHeight !== 1 || info.strideWidth !== 1 || top || bottom || left || right) return undefined;
  const { filterHeight: kh, filterWidth: kw } = info;
  return tf.tidy(() =>
    tf.avgPool(
      tf.pad(dy, [
        [0, 0],
        [kh - 1, kh - 1],
        [kw - 1, kw - 1],
        [0, 0],
      ]),
      [kh, kw],
      1,
      'valid',
    ),
  );
}
