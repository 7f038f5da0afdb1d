/**
 * Face detection on a downscaled copy of a frame, with results mapped back to the frame's own pixels.
 * Scan and training extraction both go through here, so the landmarks that drive alignment are equally precise.
 */
import { downscaleRgb } from '../imaging/resize-rgb.ts';
import type { RgbFrame } from '../video/frame.ts';
import type { FaceKeypoints, Point } from './align.ts';
import type { DetectedFace, FaceDetectorModel } from './face-detector.ts';

export const DEFAULT_DETECTION_MAX_SIDE = 960;

const scalePoint = (p: Point, s: number): [number, number] => [p[0] * s, p[1] * s];

export function scaleDetectedFace(face: DetectedFace, s: number): DetectedFace {
  if (s === 1) return face;
  return {
    ...face,
    box: { x: face.box.x * s, y: face.box.y * s, width: face.box.width * s, height: face.box.height * s },
    landmarks: face.landmarks.map((p) => scalePoint(p, s)),
    keypoints: Object.fromEntries(
      Object.entries(face.keypoints).map(([name, p]) => [name, scalePoint(p as Point, s)]),
    ) as unknown as FaceKeypoints,
  };
}

export async function detectFacesScaled(
  detector: FaceDetectorModel,
  frame: RgbFrame,
  maxSide = DEFAULT_DETECTION_MAX_SIDE,
): Promise<DetectedFace[]> {
  const { frame: small, scale } = downscaleRgb(frame, maxSide);
  const faces = await detector.predict(small);
  return faces.map((face) => scaleDetectedFace(face, 1 / scale));
}
