/**
 * Face reenactment with the shared-encoder autoencoder: the driver's expression and mouth, drawn on the target
 * identity, in the target's own frame.
 *
 * The target's most frontal extracted frame (kept in the project at extraction) is the stage. For every driver
 * frame: detect and align the driver's face, encode it (the code carries expression and out-of-plane pose, not
 * identity), decode with the target's decoder, and blend the result into the stage through the target face's own
 * alignment — so the target's head stays where it is and only its face moves.
 *
 * Pose range: alignment removes the driver's in-plane motion (position, size, roll). Out-of-plane pose is in the
 * code and is painted as is, so it must stay near the target's reference pose: driver frames whose yaw or pitch
 * differ from the reference by more than `maxPoseDelta` (default 20°) are not painted; the previous output frame
 * is held instead and the frame is counted as out of range.
 */
import { detectFacesScaled } from '../faces/detect-scaled.ts';
import { loadFaceDetector, type FaceDetectorModel } from '../faces/face-detector.ts';
import { UnmaskError } from '../util/errors.ts';
import type { ProgressListener } from '../util/progress.ts';
import { countSampledFrames, streamFrames } from '../video/decode.ts';
import { openFrameEncoder } from '../video/encode-frames.ts';
import type { RgbFrame } from '../video/frame.ts';
import { probeVideo } from '../video/probe.ts';
import type { ConsentStatement } from './consent.ts';
import { KeypointSmoother } from './keypoint-smoother.ts';
import {
  assertDistinctOutput,
  DEFAULT_RENDER,
  keypointArray,
  largestFace,
  paintFace,
  syntheticMetadata,
  type FacePlacement,
  type RenderOptions,
} from './render-swap.ts';
import { loadSwapModel } from './swap-model.ts';
import { other, type Identity } from './swap-networks.ts';
import { readFaceSet } from './swap-project.ts';
import { drawWatermark } from './watermark.ts';

export interface ReenactOptions extends RenderOptions {
  /** Largest |yaw| or |pitch| difference between driver and target reference, radians. */
  maxPoseDelta: number;
}

export const DEFAULT_REENACT: ReenactOptions = { ...DEFAULT_RENDER, maxPoseDelta: (20 * Math.PI) / 180 };

export interface ReenactRequest {
  projectDir: string;
  driver: string;
  target: Identity;
  output: string;
  consent: ConsentStatement;
  options?: Partial<ReenactOptions>;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
}

export interface ReenactResult {
  output: string;
  frames: number;
  paintedFrames: number;
  /** Driver frames without a face. */
  noFaceFrames: number;
  /** Driver frames turned too far from the target's reference pose. */
  outOfRangeFrames: number;
  referencePose: { yaw: number; pitch: number };
  metadata: Record<string, string>;
}

export async function reenactFace(request: ReenactRequest): Promise<ReenactResult> {
  const options = { ...DEFAULT_REENACT, ...request.options };
  const { onProgress = () => undefined, signal } = request;
  assertDistinctOutput(request.driver, request.output);
  const probe = await probeVideo(request.driver);
  const model = await loadSwapModel(request.projectDir);
  let detector: FaceDetectorModel | undefined;
  try {
    const set = await readFaceSet(request.projectDir, model.project, request.target);
    const reference = set.reference;
    if (!reference) {
      throw new UnmaskError(
        'swapProjectMismatch',
        `The project has no reference frame of identity ${request.target.toUpperCase()} to reenact into; re-create it with this version.`,
      );
    }
    const entry = set.entries.find((e) => e.source === reference.source && e.timeSec === reference.timeSec);
    const referencePose = { yaw: entry?.yaw ?? 0, pitch: entry?.pitch ?? 0 };
    const stage: FacePlacement = { frame: reference.frame, keypoints: reference.keypoints };
    const metadata = syntheticMetadata(
      'face reenactment',
      `reenact driver ${request.driver.split('/').at(-1)} onto identity ${request.target.toUpperCase()}, ${model.architecture.kind} ${model.architecture.size} px, ${model.steps} steps`,
      request.consent,
      model.project.consent.statement,
    );
    detector = await loadFaceDetector({ maxFaces: 4 });
    const encoder = openFrameEncoder(request.output, {
      width: stage.frame.width,
      height: stage.frame.height,
      fps: probe.video.avgFps ?? probe.video.rFrameRate ?? 25,
      audioFrom: request.driver,
      metadata,
    });
    const smoother = new KeypointSmoother(options.smoothing);
    const total = countSampledFrames(probe, {});
    let previous: RgbFrame = stage.frame;
    const counts = { frames: 0, painted: 0, noFace: 0, outOfRange: 0 };
    try {
      for await (const frame of streamFrames(request.driver, probe, {}, { signal })) {
        const face = largestFace(await detectFacesScaled(detector, frame, options.detectionMaxSide));
        if (!face) {
          counts.noFace++;
          smoother.reset();
        } else {
          const dYaw = Math.abs((face.rotation?.yaw ?? 0) - referencePose.yaw);
          const dPitch = Math.abs((face.rotation?.pitch ?? 0) - referencePose.pitch);
          if (Math.max(dYaw, dPitch) > options.maxPoseDelta) counts.outOfRange++;
          else {
            const driver = { frame, keypoints: smoother.smooth(keypointArray(face), frame.timeSec) };
            previous = await paintFace(
              model,
              driver,
              stage,
              other(request.target),
              request.target,
              options.blend,
            );
            counts.painted++;
          }
        }
        await encoder.write(drawWatermark({ ...previous, data: previous.data.slice() }));
        counts.frames++;
        onProgress({
          stage: 'reenact',
          done: counts.frames,
          total: Math.max(total, counts.frames),
          detail: `${counts.painted} painted, ${counts.outOfRange} out of pose range`,
        });
      }
      await encoder.finish();
    } catch (error) {
      await encoder.abort();
      throw error;
    }
    return {
      output: request.output,
      frames: counts.frames,
      paintedFrames: counts.painted,
      noFaceFrames: counts.noFace,
      outOfRangeFrames: counts.outOfRange,
      referencePose,
      metadata,
    };
  } finally {
    detector?.dispose();
    model.dispose();
  }
}
