/**
 * Extraction of one identity's faces for swap training: aligned S×S crops with a landmark-hull mask and an
 * eyes/mouth emphasis map, from one or more videos, images or folders of them. Every face that is not used is
 * reported with a reason (too small, low confidence, extreme pose, blurry, or a second face in the frame).
 *
 * Stage contract: in, media files; out, a FaceSet whose `stacked` array holds count × S×S×5 bytes
 * (R, G, B, hull mask 0/255, emphasis: 255 on the eyes, 128 on the mouth, 0 elsewhere).
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { alignmentTransform, warpAffineRgb, type Point } from '../faces/align.ts';
import { detectFacesScaled } from '../faces/detect-scaled.ts';
import {
  DEFAULT_EXTRACT_FACES,
  judgeFace,
  mediaFrames,
  type ExtractFacesOptions,
  type SkipReason,
} from '../faces/extract-faces.ts';
import type { DetectedFace, FaceDetectorModel } from '../faces/face-detector.ts';
import { morphology } from '../imaging/filters.ts';
import { isImagePath } from '../imaging/decode-image.ts';
import type { Resampling } from '../imaging/float-image.ts';
import { convexHull, fillPolygon } from '../imaging/polygon.ts';
import { UnmaskError } from '../util/errors.ts';
import type { ProgressListener } from '../util/progress.ts';
import type { RgbFrame } from '../video/frame.ts';
import type { Identity } from './swap-networks.ts';

export const FACE_SET_CHANNELS = 5;
export const VIDEO_EXTENSIONS = ['.mp4', '.mov', '.mkv', '.webm', '.avi', '.m4v'] as const;

/** MediaPipe FaceMesh contours (canonical mesh indices): the eyes and the outer lips. */
export const MESH_EYE_CONTOURS: readonly (readonly number[])[] = [
  [33, 7, 163, 144, 145, 153, 154, 155, 133, 173, 157, 158, 159, 160, 161, 246],
  [263, 249, 390, 373, 374, 380, 381, 382, 362, 398, 384, 385, 386, 387, 388, 466],
];
export const MESH_MOUTH_CONTOUR: readonly number[] = [
  61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291, 409, 270, 269, 267, 0, 37, 39, 40, 185,
];

/** The extraction filters of engine/faces/extract-faces.ts, with the crop side named `size`, plus a held-out split. */
export interface FaceSetOptions extends Omit<ExtractFacesOptions, 'cropSize'> {
  size: number;
  /** Fraction of each source's faces, the last ones in time, kept out of training for evaluation. */
  heldOutFraction: number;
}

export const DEFAULT_FACE_SET_OPTIONS: FaceSetOptions = {
  size: 64,
  margin: 0.1,
  sampling: { fps: 8 },
  minFaceSize: 64,
  minMeshScore: DEFAULT_EXTRACT_FACES.minMeshScore,
  maxPoseRadians: DEFAULT_EXTRACT_FACES.maxPoseRadians,
  minSharpness: 6,
  // A 64 px face from a 500 px one: bilinear sampling would alias skin and hair into noise the decoders
  // cannot learn (faceswap also shrinks with INTER_AREA).
  resampling: 'area',
  heldOutFraction: 0.1,
};

export interface FaceSetEntry {
  source: string;
  timeSec: number;
  yaw: number;
  pitch: number;
  sharpness: number;
  heldOut: boolean;
}

export type SwapSkipReason = SkipReason | 'second-face';

export interface SkippedSwapFace {
  source: string;
  timeSec: number;
  reason: SwapSkipReason;
  detail: string;
}

/** The most frontal face's whole frame, kept for reenactment (the target's head is drawn into it). */
export interface ReferenceFrame {
  frame: RgbFrame;
  keypoints: Point[];
  source: string;
  timeSec: number;
}

export interface FaceSet {
  identity: Identity;
  size: number;
  margin: number;
  /** How the faces were resampled from their frames; rendering crops alike. */
  resampling: Resampling;
  entries: FaceSetEntry[];
  /** entries.length × size × size × 5 bytes. */
  stacked: Uint8Array;
  skipped: SkippedSwapFace[];
  reference: ReferenceFrame | undefined;
}

/** Media files named by the user: files as given, folders expanded to their media files (sorted, not recursive). */
export function listMedia(inputs: readonly string[]): string[] {
  const files: string[] = [];
  for (const input of inputs) {
    let stats;
    try {
      stats = statSync(input);
    } catch {
      throw new UnmaskError('inputNotFound', `Input ${input} does not exist.`);
    }
    if (stats.isDirectory()) {
      const media = readdirSync(input)
        .filter(
          (name) =>
            isImagePath(name) ||
            (VIDEO_EXTENSIONS as readonly string[]).includes(extname(name).toLowerCase()),
        )
        .sort()
        .map((name) => join(input, name));
      if (media.length === 0)
        throw new UnmaskError('inputEmpty', `Folder ${input} holds no images or videos.`);
      files.push(...media);
    } else files.push(input);
  }
  return files;
}

/** Rasterises the hull of `indices` of the crop-space mesh into a size×size 0/1 mask. */
function hullMask(landmarks: readonly Point[], indices: readonly number[] | undefined, size: number) {
  const points = indices ? indices.map((i) => landmarks[i]!) : landmarks;
  return fillPolygon(convexHull(points), size, size);
}

/**
 * S×S×5 bytes for one aligned crop: RGB, the landmark-hull face mask, and the emphasis map (eyes dilated by
 * size/32 px → 255, mouth → 128).
 */
export function stackFace(crop: RgbFrame, landmarks: readonly Point[]): Uint8Array {
  const size = crop.width;
  const face = hullMask(landmarks, undefined, size);
  const dilate = -Math.max(1, Math.round(size / 32));
  const eyes = MESH_EYE_CONTOURS.map((c) => morphology(hullMask(landmarks, c, size), dilate));
  const mouth = hullMask(landmarks, MESH_MOUTH_CONTOUR, size);
  const out = new Uint8Array(size * size * FACE_SET_CHANNELS);
  for (let p = 0; p < size * size; p++) {
    out[p * 5] = crop.data[p * 3]!;
    out[p * 5 + 1] = crop.data[p * 3 + 1]!;
    out[p * 5 + 2] = crop.data[p * 3 + 2]!;
    out[p * 5 + 3] = face.data[p]! > 0 ? 255 : 0;
    out[p * 5 + 4] = eyes.some((e) => e.data[p]! > 0) ? 255 : mouth.data[p]! > 0 ? 128 : 0;
  }
  return out;
}

const faceArea = (face: DetectedFace) => face.box.width * face.box.height;

/** Marks the last `fraction` of each source's faces (in time) as held out; at least one when a source has ≥ 5. */
export function markHeldOut(entries: FaceSetEntry[], fraction: number): void {
  const bySource = new Map<string, FaceSetEntry[]>();
  for (const e of entries) bySource.set(e.source, [...(bySource.get(e.source) ?? []), e]);
  for (const list of bySource.values()) {
    const sorted = list.slice().sort((a, b) => a.timeSec - b.timeSec);
    const count = list.length >= 5 ? Math.max(1, Math.round(list.length * fraction)) : 0;
    sorted.slice(sorted.length - count).forEach((e) => (e.heldOut = true));
  }
}

export async function extractFaceSet(
  identity: Identity,
  inputs: readonly string[],
  detector: FaceDetectorModel,
  options: FaceSetOptions = DEFAULT_FACE_SET_OPTIONS,
  onProgress: ProgressListener = () => undefined,
  signal?: AbortSignal,
): Promise<FaceSet> {
  const files = listMedia(inputs);
  const entries: FaceSetEntry[] = [];
  const chunks: Uint8Array[] = [];
  const skipped: SkippedSwapFace[] = [];
  let reference: ReferenceFrame | undefined;
  let referencePose = Infinity;
  const judge = {
    ...DEFAULT_EXTRACT_FACES,
    cropSize: options.size,
    margin: options.margin,
    minFaceSize: options.minFaceSize,
    minMeshScore: options.minMeshScore,
    maxPoseRadians: options.maxPoseRadians,
    minSharpness: options.minSharpness,
    resampling: options.resampling,
  };
  let frames = 0;
  for (const file of files) {
    const source = basename(file);
    for await (const { frame, timeSec } of mediaFrames(file, options.sampling, signal)) {
      frames++;
      const faces = (await detectFacesScaled(detector, frame)).sort((p, q) => faceArea(q) - faceArea(p));
      faces.slice(1).forEach((face) =>
        skipped.push({
          source,
          timeSec,
          reason: 'second-face',
          detail: `a smaller face (${Math.round(face.box.width)} px) beside the main one; only the largest face per frame is used`,
        }),
      );
      const main = faces[0];
      if (main) {
        const judged = judgeFace(frame, main, source, timeSec, judge);
        if (judged.kind === 'skipped')
          skipped.push({ source, timeSec, reason: judged.reason, detail: judged.detail });
        else {
          chunks.push(stackFace(judged.crop, judged.landmarks));
          const yaw = main.rotation?.yaw ?? 0;
          const pitch = main.rotation?.pitch ?? 0;
          entries.push({ source, timeSec, yaw, pitch, sharpness: judged.sharpness, heldOut: false });
          const pose = Math.abs(yaw) + Math.abs(pitch);
          if (pose < referencePose) {
            referencePose = pose;
            const k = main.keypoints;
            reference = {
              frame,
              keypoints: [k.leftEye, k.rightEye, k.noseTip, k.mouthLeft, k.mouthRight],
              source,
              timeSec,
            };
          }
        }
      }
      onProgress({
        stage: `faces ${identity.toUpperCase()}`,
        done: frames,
        total: undefined,
        detail: `${entries.length} faces kept, ${skipped.length} skipped (${source})`,
      });
    }
  }
  markHeldOut(entries, options.heldOutFraction);
  const stacked = new Uint8Array(entries.length * options.size * options.size * FACE_SET_CHANNELS);
  chunks.forEach((chunk, i) => stacked.set(chunk, i * chunk.length));
  const { size, margin, resampling } = options;
  return { identity, size, margin, resampling, entries, stacked, skipped, reference };
}

/** Counts skipped faces by reason, for messages and the project file. */
export function skipSummary(skipped: readonly SkippedSwapFace[]): Partial<Record<SwapSkipReason, number>> {
  const out: Partial<Record<SwapSkipReason, number>> = {};
  for (const s of skipped) out[s.reason] = (out[s.reason] ?? 0) + 1;
  return out;
}

/** The aligned crop of a frame for the swap models (same framing as extraction). */
export function swapCrop(
  frame: RgbFrame,
  keypoints: readonly Point[],
  size: number,
  margin: number,
  resampling: Resampling,
) {
  const transform = alignmentTransform(keypoints, size, { margin });
  return { crop: warpAffineRgb(frame, transform, size, resampling), transform };
}
