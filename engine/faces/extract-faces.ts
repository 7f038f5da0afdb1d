/**
 * Aligned face crops from videos and still images, for training (detector face bank, swap identities).
 * Each detected face is either kept — crop, landmarks in crop coordinates, the frame→crop transform — or
 * skipped with a reason a user can act on (too small, low confidence, extreme pose, blurry).
 */
import { basename } from 'node:path';
import { decodeImageFile, isImagePath } from '../imaging/decode-image.ts';
import type { Resampling } from '../imaging/float-image.ts';
import { streamFrames, type FrameSampling } from '../video/decode.ts';
import type { RgbFrame } from '../video/frame.ts';
import { probeVideo } from '../video/probe.ts';
import { alignmentTransform, applySimilarity, warpAffineRgb, type Point, type Similarity } from './align.ts';
import { detectFacesScaled } from './detect-scaled.ts';
import type { DetectedFace, FaceDetectorModel } from './face-detector.ts';

export interface ExtractFacesOptions {
  /** Side of the square aligned crop, pixels. */
  cropSize: number;
  /** Alignment margin (see AlignmentOptions.margin). */
  margin: number;
  /** Sampling for videos. */
  sampling: FrameSampling;
  /** Faces whose box's shorter side is below this many frame pixels are skipped. */
  minFaceSize: number;
  minMeshScore: number;
  /** Faces turned further than this (|yaw| or |pitch|, radians) are skipped. */
  maxPoseRadians: number;
  /**
   * Crops whose Laplacian variance (grey, 0..255) is below this are skipped as blurry. It is measured on the
   * bilinear crop whatever `resampling` is, so the threshold means the same for both.
   */
  minSharpness: number;
  /** How the aligned crop is resampled from the frame (see `Resampling`). */
  resampling: Resampling;
}

export const DEFAULT_EXTRACT_FACES: ExtractFacesOptions = {
  cropSize: 160,
  margin: 0.15,
  sampling: { fps: 2 },
  minFaceSize: 64,
  minMeshScore: 0.6,
  maxPoseRadians: 0.75,
  minSharpness: 12,
  resampling: 'bilinear',
};

export interface ExtractedFace {
  kind: 'face';
  source: string;
  timeSec: number;
  crop: RgbFrame;
  /** The 468 mesh points in crop pixels. */
  landmarks: Point[];
  transform: Similarity;
  face: DetectedFace;
  sharpness: number;
}

export type SkipReason = 'too-small' | 'low-confidence' | 'extreme-pose' | 'blurry';

export interface SkippedFace {
  kind: 'skipped';
  source: string;
  timeSec: number;
  reason: SkipReason;
  detail: string;
}

/** Variance of the 4-neighbour Laplacian of the grey image: low for blurred crops. */
export function laplacianVariance(image: RgbFrame): number {
  const { width, height, data } = image;
  const grey = new Float32Array(width * height);
  for (let i = 0; i < grey.length; i++)
    grey[i] = 0.299 * data[i * 3]! + 0.587 * data[i * 3 + 1]! + 0.114 * data[i * 3 + 2]!;
  let sum = 0;
  let sumSq = 0;
  let n = 0;
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const i = y * width + x;
      const v = grey[i - 1]! + grey[i + 1]! + grey[i - width]! + grey[i + width]! - 4 * grey[i]!;
      sum += v;
      sumSq += v * v;
      n++;
    }
  }
  return n ? sumSq / n - (sum / n) ** 2 : 0;
}

export function judgeFace(
  frame: RgbFrame,
  face: DetectedFace,
  source: string,
  timeSec: number,
  options: ExtractFacesOptions,
): ExtractedFace | SkippedFace {
  const skip = (reason: SkipReason, detail: string): SkippedFace => ({
    kind: 'skipped',
    source,
    timeSec,
    reason,
    detail,
  });
  const side = Math.min(face.box.width, face.box.height);
  if (side < options.minFaceSize)
    return skip('too-small', `face is ${Math.round(side)} px, needs ≥ ${options.minFaceSize}`);
  if (face.meshScore < options.minMeshScore)
    return skip('low-confidence', `mesh score ${face.meshScore} < ${options.minMeshScore}`);
  const pose = Math.max(Math.abs(face.rotation?.yaw ?? 0), Math.abs(face.rotation?.pitch ?? 0));
  if (pose > options.maxPoseRadians) {
    return skip(
      'extreme-pose',
      `head turned ${Math.round((pose * 180) / Math.PI)}°, limit ${Math.round((options.maxPoseRadians * 180) / Math.PI)}°`,
    );
  }
  const transform = alignmentTransform(face.keypoints, options.cropSize, { margin: options.margin });
  const crop = warpAffineRgb(frame, transform, options.cropSize, options.resampling);
  const sharpness = laplacianVariance(
    options.resampling === 'bilinear' ? crop : warpAffineRgb(frame, transform, options.cropSize),
  );
  if (sharpness < options.minSharpness)
    return skip('blurry', `sharpness ${sharpness.toFixed(1)} < ${options.minSharpness}`);
  const landmarks = face.landmarks.map((p) => applySimilarity(transform, p));
  return { kind: 'face', source, timeSec, crop, landmarks, transform, face, sharpness };
}

/** Frames of a video (sampled) or the single frame of an image. */
export async function* mediaFrames(
  path: string,
  sampling: FrameSampling,
  signal?: AbortSignal,
): AsyncGenerator<{ frame: RgbFrame; timeSec: number }> {
  if (isImagePath(path)) {
    yield { frame: await decodeImageFile(path), timeSec: 0 };
    return;
  }
  const probe = await probeVideo(path);
  for await (const frame of streamFrames(path, probe, sampling, { signal }))
    yield { frame, timeSec: frame.timeSec };
}

export async function* extractFaces(
  path: string,
  detector: FaceDetectorModel,
  options: ExtractFacesOptions = DEFAULT_EXTRACT_FACES,
  signal?: AbortSignal,
): AsyncGenerator<ExtractedFace | SkippedFace> {
  const source = basename(path);
  for await (const { frame, timeSec } of mediaFrames(path, options.sampling, signal)) {
    for (const face of await detectFacesScaled(detector, frame))
      yield judgeFace(frame, face, source, timeSec, options);
  }
}
