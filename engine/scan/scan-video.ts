/**
 * `scanVideo`: probe → fingerprint → decode sampled frames → find faces → track them → one ScanResult.
 * Decoding runs in ffmpeg's own process, so it overlaps with face detection on the other core.
 */
import { basename, resolve } from 'node:path';
import { createRequire } from 'node:module';
import type { FaceKeypoints, Point } from '../faces/align.ts';
import {
  DEFAULT_FACE_DETECTOR_CONFIG,
  loadFaceDetector,
  type DetectedFace,
  type FaceDetectorConfig,
} from '../faces/face-detector.ts';
import { FaceTracker } from '../faces/tracker.ts';
import { downscaleRgb } from '../imaging/resize-rgb.ts';
import { resolveFfmpeg } from '../runtime/ffmpeg.ts';
import { initTensorflow } from '../runtime/tensorflow.ts';
import { UnmaskError } from '../util/errors.ts';
import { sha256File } from '../util/files.ts';
import type { ProgressListener } from '../util/progress.ts';
import { countSampledFrames, streamFrames, type FrameSampling } from '../video/decode.ts';
import { probeVideo } from '../video/probe.ts';
import {
  SCAN_FORMAT,
  SCAN_FORMAT_VERSION,
  type ScannedFace,
  type ScannedFrame,
  type ScanResult,
} from './scan-result.ts';

export interface ScanOptions {
  sampling: FrameSampling;
  /** Longer side of the frame copy that face detection sees. */
  detectionMaxSide: number;
  faceDetector: Partial<FaceDetectorConfig>;
  /** Keep all 468 mesh points per face in the output (large); keypoints are always kept. */
  includeLandmarks: boolean;
}

export const DEFAULT_SCAN_OPTIONS: ScanOptions = {
  sampling: { fps: 5 },
  detectionMaxSide: 960,
  faceDetector: {},
  includeLandmarks: true,
};

export interface ScanCallbacks {
  onProgress?: ProgressListener;
  /** Called with each frame's result as soon as it is known (live views). */
  onFrame?: (frame: ScannedFrame) => void;
  signal?: AbortSignal;
}

const require = createRequire(import.meta.url);
const ENGINE_VERSION = (require('../../package.json') as { version: string }).version;

const round1 = (v: number) => Math.round(v * 10) / 10;
const scalePoint = (p: Point, s: number): [number, number] => [round1(p[0] * s), round1(p[1] * s)];

function toScannedFace(
  face: DetectedFace,
  trackId: number,
  toDisplay: number,
  includeLandmarks: boolean,
): ScannedFace {
  const keypoints = Object.fromEntries(
    Object.entries(face.keypoints).map(([name, p]) => [name, scalePoint(p as Point, toDisplay)]),
  ) as unknown as Record<keyof FaceKeypoints, [number, number]>;
  return {
    trackId,
    box: {
      x: round1(face.box.x * toDisplay),
      y: round1(face.box.y * toDisplay),
      width: round1(face.box.width * toDisplay),
      height: round1(face.box.height * toDisplay),
    },
    detectorScore: face.score,
    meshScore: face.meshScore,
    keypoints,
    landmarks: includeLandmarks ? face.landmarks.map((p) => scalePoint(p, toDisplay)) : [],
    pose: face.rotation ? { ...face.rotation } : null,
  };
}

export async function scanVideo(
  path: string,
  options: ScanOptions = DEFAULT_SCAN_OPTIONS,
  callbacks: ScanCallbacks = {},
): Promise<ScanResult> {
  const { onProgress = () => undefined, onFrame, signal } = callbacks;
  const startedAt = new Date();
  const started = performance.now();
  onProgress({ stage: 'probe', done: 0, total: 1 });
  const probe = await probeVideo(path);
  const tools = resolveFfmpeg();
  const hashing = sha256File(path, signal);
  hashing.catch(() => undefined);

  const backend = await initTensorflow();
  const detector = await loadFaceDetector(options.faceDetector);
  const tracker = new FaceTracker();
  const frames: ScannedFrame[] = [];
  const total = countSampledFrames(probe, options.sampling);
  try {
    for await (const decoded of streamFrames(path, probe, options.sampling, { signal })) {
      const { frame: small, scale } = downscaleRgb(decoded, options.detectionMaxSide);
      const faces = await detector.predict(small);
      const trackIds = tracker.update(decoded.timeSec, faces);
      // Detection ran on a copy scaled by `scale` from a decoded frame that may itself be downscaled.
      const toDisplay = probe.video.displayWidth / decoded.width / scale;
      const frame: ScannedFrame = {
        index: decoded.sampleIndex,
        timeSec: Math.round(decoded.timeSec * 1e6) / 1e6,
        faces: faces.map((face, i) => toScannedFace(face, trackIds[i]!, toDisplay, options.includeLandmarks)),
      };
      frames.push(frame);
      onFrame?.(frame);
      const elapsed = (performance.now() - started) / 1000;
      onProgress({
        stage: 'faces',
        done: frames.length,
        total: Math.max(total, frames.length),
        detail: `${(frames.length / elapsed).toFixed(1)} frames/s`,
      });
    }
  } finally {
    detector.dispose();
  }
  if (signal?.aborted) throw new UnmaskError('cancelled', 'Scan cancelled.');
  const sha256 = await hashing;

  const tracks = tracker
    .tracks()
    .map((t) => ({ id: t.id, firstTimeSec: t.firstTime, lastTimeSec: t.lastTime, frames: t.count }));
  const framesWithFaces = frames.filter((f) => f.faces.length > 0).length;
  const faceCount = frames.reduce((n, f) => n + f.faces.length, 0);
  const message =
    faceCount === 0
      ? `No faces found in ${frames.length} sampled frames: nothing to judge.`
      : `${faceCount} faces in ${framesWithFaces} of ${frames.length} sampled frames, ${tracks.length} ${tracks.length === 1 ? 'person' : 'people'} tracked.`;
  return {
    format: SCAN_FORMAT,
    formatVersion: SCAN_FORMAT_VERSION,
    input: { path: resolve(path), fileName: basename(path), sizeBytes: probe.sizeBytes, sha256 },
    probe: probe as unknown as Record<string, unknown>,
    settings: {
      sampling: { ...options.sampling },
      detectionMaxSide: options.detectionMaxSide,
      faceDetector: { ...DEFAULT_FACE_DETECTOR_CONFIG, ...options.faceDetector, modelsDir: undefined },
    },
    engine: {
      name: 'unmask',
      version: ENGINE_VERSION,
      tensorflowBackend: backend.backend,
      tfjsVersion: backend.tfjsVersion,
      ffmpeg: { path: tools.ffmpeg.path, source: tools.ffmpeg.source, version: tools.ffmpeg.version },
      ffprobe: { path: tools.ffprobe.path, source: tools.ffprobe.source, version: tools.ffprobe.version },
      models: detector.info.models.map((m) => ({ name: m.name, file: basename(m.file), sha256: m.sha256 })),
    },
    frames,
    tracks,
    summary: {
      sampledFrames: frames.length,
      framesWithFaces,
      faces: faceCount,
      tracks: tracks.length,
      noFacesFound: faceCount === 0,
      message,
    },
    run: {
      startedAt: startedAt.toISOString(),
      durationSec: Math.round((performance.now() - started) / 10) / 100,
    },
  };
}
