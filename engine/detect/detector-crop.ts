/**
 * The crop the detector sees, made exactly as in training: align to the face bank's crop size and margin
 * (warpAffineRgb), then resize to the network input (resizeImage). Pure.
 */
import { alignmentTransform, warpAffineRgb, type FaceKeypoints } from '../faces/align.ts';
import { floatFromRgb, resizeImage, type FloatImage, type Resampling } from '../imaging/float-image.ts';
import type { RgbFrame } from '../video/frame.ts';

export interface DetectorCropSpec {
  /** Aligned crop size before resizing (the face bank's size). */
  alignedSize: number;
  margin: number;
  inputSize: number;
  /** How the frame is resampled into the aligned crop and the crop into the input (as in training). */
  resampling: Resampling;
}

export function detectorCrop(frame: RgbFrame, keypoints: FaceKeypoints, spec: DetectorCropSpec): FloatImage {
  const transform = alignmentTransform(keypoints, spec.alignedSize, { margin: spec.margin });
  const aligned = floatFromRgb(warpAffineRgb(frame, transform, spec.alignedSize, spec.resampling));
  return spec.alignedSize === spec.inputSize
    ? aligned
    : resizeImage(aligned, spec.inputSize, spec.inputSize, spec.resampling);
}
