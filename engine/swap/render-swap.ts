/**
 * `renderSwap`: a video of one identity re-rendered with the other identity's face, labelled as synthetic.
 *
 * Per frame: detect faces → take the largest → smooth its keypoints over time (One-Euro) → align and crop as
 * extraction did → encode, decode with the target identity's decoder → LAB colour transfer onto the original
 * crop → erode + feather the predicted mask → warp back and blend → burn in the "SYNTHETIC" watermark. Frames
 * without a face are passed through unchanged (and still watermarked). Audio is kept. The container is tagged
 * `ai_generated=true` with the consent statements, and written atomically.
 */
import { createRequire } from 'node:module';
import { basename, resolve } from 'node:path';
import type { Point } from '../faces/align.ts';
import { detectFacesScaled } from '../faces/detect-scaled.ts';
import { loadFaceDetector, type DetectedFace, type FaceDetectorModel } from '../faces/face-detector.ts';
import { floatFromRgb } from '../imaging/float-image.ts';
import { UnmaskError } from '../util/errors.ts';
import { isSameFile } from '../util/files.ts';
import type { ProgressListener } from '../util/progress.ts';
import { countSampledFrames, streamFrames } from '../video/decode.ts';
import { openFrameEncoder } from '../video/encode-frames.ts';
import type { RgbFrame } from '../video/frame.ts';
import { probeVideo } from '../video/probe.ts';
import { featherMask, pasteFace, transferColourLab } from './blend.ts';
import type { ConsentStatement } from './consent.ts';
import { swapCrop } from './face-set.ts';
import { DEFAULT_ONE_EURO, KeypointSmoother, type OneEuroOptions } from './keypoint-smoother.ts';
import { loadSwapModel, type SwapModel } from './swap-model.ts';
import { other, type Identity } from './swap-networks.ts';
import { drawWatermark } from './watermark.ts';

const require = createRequire(import.meta.url);
const ENGINE_VERSION = (require('../../package.json') as { version: string }).version;

export interface BlendOptions {
  /** Mask erosion, as a fraction of the face size (64 px: 0.04 → 3 px). */
  erode: number;
  /** Feather σ, as a fraction of the face size. */
  feather: number;
}

export const DEFAULT_BLEND: BlendOptions = { erode: 0.04, feather: 0.03 };

export interface RenderOptions {
  blend: BlendOptions;
  smoothing: OneEuroOptions;
  /** Longer side of the frame copy that face detection sees. */
  detectionMaxSide: number;
}

export const DEFAULT_RENDER: RenderOptions = {
  blend: DEFAULT_BLEND,
  smoothing: DEFAULT_ONE_EURO,
  detectionMaxSide: 640,
};

/** Refuses an output that is the input itself (same path, or the same file through a link). */
export function assertDistinctOutput(input: string, output: string): void {
  if (isSameFile(input, output))
    throw new UnmaskError(
      'swapOutputIsInput',
      `Refusing to render onto the input itself (${resolve(input)}); choose another --out.`,
    );
}

/** Container tags that label a rendered file as AI-generated and carry the consent statements. */
export function syntheticMetadata(
  kind: 'face swap' | 'face reenactment',
  detail: string,
  consent: ConsentStatement,
  projectConsent: string,
): Record<string, string> {
  return {
    ai_generated: 'true',
    comment: `SYNTHETIC: ${kind} made with Unmask ${ENGINE_VERSION} (${detail}). Consent: ${consent.statement}`,
    unmask_synthetic: kind,
    unmask_generator: `unmask ${ENGINE_VERSION} ${detail}`,
    unmask_consent: consent.statement,
    unmask_consent_at: consent.attestedAt,
    unmask_project_consent: projectConsent,
  };
}

const faceArea = (face: DetectedFace) => face.box.width * face.box.height;

export function largestFace(faces: readonly DetectedFace[]): DetectedFace | undefined {
  return faces.slice().sort((p, q) => faceArea(q) - faceArea(p))[0];
}

export function keypointArray(face: DetectedFace): Point[] {
  const k = face.keypoints;
  return [k.leftEye, k.rightEye, k.noseTip, k.mouthLeft, k.mouthRight];
}

/** A face in a frame, located by its five alignment keypoints. */
export interface FacePlacement {
  frame: RgbFrame;
  keypoints: readonly Point[];
}

/**
 * The heart of render and reenact: encodes the face at `driver`, decodes it as identity `to`, and blends the
 * result over the face at `destination` (the same placement for a swap; the target's own frame for
 * reenactment). `from` chooses the encoder (UNIT has one per identity; the template shares one).
 */
export async function paintFace(
  model: SwapModel,
  driver: FacePlacement,
  destination: FacePlacement,
  from: Identity,
  to: Identity,
  blend: BlendOptions,
): Promise<RgbFrame> {
  const size = model.architecture.size;
  const margin = model.project.margin;
  const { resampling } = model.project;
  const driverCrop = swapCrop(driver.frame, driver.keypoints, size, margin, resampling);
  const destinationCrop =
    destination === driver
      ? driverCrop
      : swapCrop(destination.frame, destination.keypoints, size, margin, resampling);
  const [prediction] = await model.predict([floatFromRgb(driverCrop.crop)], from, to);
  const colour = transferColourLab(prediction!.face, floatFromRgb(destinationCrop.crop), prediction!.mask);
  const alpha = featherMask(
    prediction!.mask,
    Math.max(1, Math.round(blend.erode * size)),
    blend.feather * size,
  );
  return pasteFace(destination.frame, colour, alpha, destinationCrop.transform.matrix);
}

export interface RenderSwapRequest {
  projectDir: string;
  input: string;
  output: string;
  /** Identity whose face is painted in; the input shows the other one. */
  to: Identity;
  consent: ConsentStatement;
  options?: Partial<RenderOptions>;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
}

export interface RenderSwapResult {
  output: string;
  frames: number;
  swappedFrames: number;
  unchangedFrames: number;
  metadata: Record<string, string>;
}

export async function renderSwap(request: RenderSwapRequest): Promise<RenderSwapResult> {
  const options = { ...DEFAULT_RENDER, ...request.options };
  const { onProgress = () => undefined, signal } = request;
  assertDistinctOutput(request.input, request.output);
  const probe = await probeVideo(request.input);
  const model = await loadSwapModel(request.projectDir);
  let detector: FaceDetectorModel | undefined;
  try {
    detector = await loadFaceDetector({ maxFaces: 4 });
    const from = other(request.to);
    const metadata = syntheticMetadata(
      'face swap',
      `swap render ${from.toUpperCase()}→${request.to.toUpperCase()}, ${model.architecture.kind} ${model.architecture.size} px, ${model.steps} steps, input ${basename(request.input)}`,
      request.consent,
      model.project.consent.statement,
    );
    const smoother = new KeypointSmoother(options.smoothing);
    const total = countSampledFrames(probe, {});
    let encoder: ReturnType<typeof openFrameEncoder> | undefined;
    let frames = 0;
    let swapped = 0;
    try {
      for await (const frame of streamFrames(request.input, probe, {}, { signal })) {
        encoder ??= openFrameEncoder(request.output, {
          width: frame.width,
          height: frame.height,
          fps: probe.video.avgFps ?? probe.video.rFrameRate ?? 25,
          audioFrom: request.input,
          metadata,
        });
        const face = largestFace(await detectFacesScaled(detector, frame, options.detectionMaxSide));
        let out: RgbFrame = frame;
        if (face) {
          const keypoints = smoother.smooth(keypointArray(face), frame.timeSec);
          const placement = { frame, keypoints };
          out = await paintFace(model, placement, placement, from, request.to, options.blend);
          swapped++;
        } else smoother.reset();
        await encoder.write(drawWatermark(out === frame ? { ...frame, data: frame.data.slice() } : out));
        frames++;
        onProgress({
          stage: 'render',
          done: frames,
          total: Math.max(total, frames),
          detail: `${swapped} swapped`,
        });
      }
      if (!encoder) throw new UnmaskError('inputEmpty', `${request.input} has no frames to render.`);
      await encoder.finish();
    } catch (error) {
      await encoder?.abort();
      throw error;
    }
    return {
      output: request.output,
      frames,
      swappedFrames: swapped,
      unchangedFrames: frames - swapped,
      metadata,
    };
  } finally {
    detector?.dispose();
    model.dispose();
  }
}
