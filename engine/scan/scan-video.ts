/**
 * `scanVideoStreaming`: probe → fingerprint → decode sampled frames → find faces → track them → score each face
 * with the detector → each frame's result to a FrameLog → aggregate per track and per video into the scan's head.
 * `scanVideo` reads the frames back into one ScanResult, for short clips. Decoding runs in ffmpeg's own process,
 * so it overlaps with detection on the other core.
 */
import { basename, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { DEFAULT_AGGREGATION, scoreTrack, videoVerdict, type TimedProbability } from '../detect/aggregate.ts';
import { detectorCrop } from '../detect/detector-crop.ts';
import { loadDetector, type DetectorConfig, type DetectorModel } from '../detect/detector.ts';
import { boundaryMapSize } from '../detect/detector-network.ts';
import {
  describeScan,
  INCONCLUSIVE_BAND,
  strengthFor,
  verdictCaveats,
  verdictFor,
} from '../detect/verdict.ts';
import type { FaceKeypoints, Point } from '../faces/align.ts';
import { DEFAULT_DETECTION_MAX_SIDE, detectFacesScaled, scaleDetectedFace } from '../faces/detect-scaled.ts';
import {
  DEFAULT_FACE_DETECTOR_CONFIG,
  loadFaceDetector,
  type DetectedFace,
  type FaceDetectorConfig,
} from '../faces/face-detector.ts';
import { FaceTracker } from '../faces/tracker.ts';
import type { FloatImage } from '../imaging/float-image.ts';
import { resolveFfmpeg, type ResolvedTool } from '../runtime/ffmpeg.ts';
import { useScanHeapPolicy } from '../runtime/heap-policy.ts';
import { initTensorflow } from '../runtime/tensorflow.ts';
import { UnmaskError } from '../util/errors.ts';
import { sha256File } from '../util/files.ts';
import type { ProgressListener } from '../util/progress.ts';
import {
  countSampledFrames,
  samplingWithMinimumFrames,
  streamFrames,
  type FrameSampling,
} from '../video/decode.ts';
import { probeVideo } from '../video/probe.ts';
import { samplingIntervalSec } from '../video/timeline-gaps.ts';
import { readAiLabel } from './ai-label.ts';
import { FrameLog } from './frame-log.ts';
import { KEPT_DECODE_ERRORS, scanDamage } from './scan-damage.ts';
import { ScanTally } from './scan-tally.ts';
import { verdictBasisFromCounts } from './verdict-basis.ts';
import {
  SCAN_FORMAT,
  SCAN_FORMAT_VERSION,
  withFrames,
  type ScanHead,
  type ScannedFace,
  type ScannedFrame,
  type ScanResult,
  type ScanTrack,
} from './scan-result.ts';
import { roundTo } from '../util/round.ts';

export interface ScanOptions {
  sampling: FrameSampling;
  /** Longer side of the frame copy that face detection sees. */
  detectionMaxSide: number;
  faceDetector: Partial<FaceDetectorConfig>;
  detector: Partial<DetectorConfig>;
  /** Keep all 468 mesh points per face in the output (large); keypoints are always kept. */
  includeLandmarks: boolean;
  /** Faces whose shorter box side is below this many display pixels are reported as too small to judge. */
  minFaceSize: number;
  /** Faces scored at or above this keep their blend-boundary heatmap in the output. */
  heatmapThreshold: number;
  /** Run the manipulation detector; false finds and tracks faces only. */
  scoreFaces: boolean;
}

/**
 * Short clips are sampled faster so that they still give this many frames: a person needs 3 judged frames to
 * count towards the verdict (aggregate.ts), and a few more steady the 1-second moving median.
 */
export const MIN_SAMPLED_FRAMES = 8;

export const DEFAULT_SCAN_OPTIONS: ScanOptions = {
  sampling: { fps: 5 },
  detectionMaxSide: DEFAULT_DETECTION_MAX_SIDE,
  faceDetector: {},
  detector: {},
  includeLandmarks: true,
  minFaceSize: 64,
  heatmapThreshold: INCONCLUSIVE_BAND[0],
  scoreFaces: true,
};

export const AGGREGATION_METHOD =
  'Per track: moving median over 1 s, then the 75th percentile of the smoothed probabilities (a swap covering a ' +
  'quarter of the screen time counts; isolated glitches do not). Video: the highest decisive track (≥ 3 scored frames).';

/** Each caveat multiplies a face's distance from 0.5 by this. */
const CAVEAT_SHRINK = 0.5;

/** A head turned further than this (radians) is judged with a caveat. */
const POSE_CAVEAT_RADIANS = 0.6;

/** A face at or above the heatmap threshold, with what is needed to draw its explanation. */
export interface FlaggedFace {
  trackId: number;
  timeSec: number;
  probability: number;
  /** The aligned crop the detector saw (0..1). */
  crop: FloatImage;
  /** Blend-boundary map, mapSize × mapSize, 0..1. */
  heatmap: Float32Array;
  mapSize: number;
}

export interface ScanCallbacks {
  onProgress?: ProgressListener;
  /** Called for each face at or above the heatmap threshold (e.g. to save heatmap pictures). */
  onFlaggedFace?: (face: FlaggedFace) => void | Promise<void>;
  /** Called with each frame's result as soon as it is known (live views). */
  onFrame?: (frame: ScannedFrame) => void;
  /**
   * Called with every person's track score so far (as in the final `tracks`), at most once a second while the
   * scan runs: the live player's consent warning follows these, not single frames.
   */
  onTracks?: (tracks: ScanTrack[]) => void;
  signal?: AbortSignal;
}

const require = createRequire(import.meta.url);
const ENGINE_VERSION = (require('../../package.json') as { version: string }).version;

const roundPoint = (p: Point): [number, number] => [roundTo(p[0], 1), roundTo(p[1], 1)];

/** The face in display pixels (scaled by detect-scaled's helper), rounded to 0.1 px for the output. */
function faceGeometry(face: DetectedFace, trackId: number, toDisplay: number, includeLandmarks: boolean) {
  const shown = scaleDetectedFace(face, toDisplay);
  const keypoints = Object.fromEntries(
    Object.entries(shown.keypoints).map(([name, p]) => [name, roundPoint(p as Point)]),
  ) as unknown as Record<keyof FaceKeypoints, [number, number]>;
  return {
    trackId,
    box: {
      x: roundTo(shown.box.x, 1),
      y: roundTo(shown.box.y, 1),
      width: roundTo(shown.box.width, 1),
      height: roundTo(shown.box.height, 1),
    },
    detectorScore: face.score,
    meshScore: face.meshScore,
    keypoints,
    landmarks: includeLandmarks ? shown.landmarks.map(roundPoint) : [],
    pose: face.rotation ? { ...face.rotation } : null,
  };
}

/** What a scan records of the ffmpeg or ffprobe it used: which one, why, and a warning if it is old. */
function toolRecord(tool: ResolvedTool) {
  const { path, source, version, libavcodec, choice, warning } = tool;
  return { path, source, version, libavcodec, choice, ...(warning && { warning }) };
}

function caveatsFor(face: DetectedFace): string[] {
  const caveats: string[] = [];
  const pose = Math.max(Math.abs(face.rotation?.yaw ?? 0), Math.abs(face.rotation?.pitch ?? 0));
  if (pose > POSE_CAVEAT_RADIANS)
    caveats.push(`head turned ${Math.round((pose * 180) / Math.PI)}°: lower confidence`);
  if (face.meshScore < 0.7) caveats.push('face partly hidden or unclear: lower confidence');
  return caveats;
}

/** Each person's robust score so far, with the tracker's facts about them. */
function scoreTracks(tracker: FaceTracker, perTrack: ReadonlyMap<number, TimedProbability[]>) {
  return tracker
    .tracks()
    .map((track) => ({ track, scored: scoreTrack(track.id, perTrack.get(track.id) ?? []) }));
}

/** One person in the scan's `tracks`: a person judged in too few frames is "not enough evidence". */
function summariseTrack({ track, scored }: ReturnType<typeof scoreTracks>[number]): ScanTrack {
  const score = Number.isFinite(scored.score) ? roundTo(scored.score, 4) : null;
  const label = scored.decisive ? verdictFor(score) : 'not-enough-evidence';
  return {
    id: track.id,
    firstTimeSec: track.firstTime,
    lastTimeSec: track.lastTime,
    frames: track.count,
    scoredFrames: scored.scoredFrames,
    score,
    label,
    strength: strengthFor(score, label),
    decisive: scored.decisive,
    smoothed: scored.smoothed.map((p) => ({
      timeSec: roundTo(p.timeSec, 6),
      probability: roundTo(p.probability, 4),
    })),
  };
}

/** Live track scores are recomputed at most this often (each pass sorts every person's scores). */
const LIVE_TRACKS_INTERVAL_MS = 1000;

/** A finished scan whose frames are in a FrameLog: read them once or more, then close it. */
export interface StreamedScan {
  head: ScanHead;
  frames: FrameLog;
}

export interface StreamingOptions {
  /**
   * Write the frames to `framesDir/frames.ndjson` for another process to read (the app's host), instead of a
   * private temporary file. The caller owns the folder; a scan that fails removes the file it wrote.
   */
  framesDir?: string;
}

/** The whole scan in memory, frames included: for short clips (tests, evaluation, batch results). */
export async function scanVideo(
  path: string,
  options: ScanOptions = DEFAULT_SCAN_OPTIONS,
  callbacks: ScanCallbacks = {},
): Promise<ScanResult> {
  const { head, frames } = await scanVideoStreaming(path, options, callbacks);
  try {
    return withFrames(head, [...frames]);
  } finally {
    frames.close();
  }
}

/**
 * The scan with each frame's result written to a FrameLog as soon as it is known, so memory stays flat however
 * long the video: only counts, each person's judged probabilities and the tracker's state stay in memory. On
 * failure or cancellation the log is removed before this rejects.
 */
export async function scanVideoStreaming(
  path: string,
  options: ScanOptions = DEFAULT_SCAN_OPTIONS,
  callbacks: ScanCallbacks = {},
  streaming: StreamingOptions = {},
): Promise<StreamedScan> {
  const { onProgress = () => undefined, onFrame, onTracks, onFlaggedFace, signal } = callbacks;
  // Flat live memory is not flat resident memory unless V8 also collects its garbage promptly.
  useScanHeapPolicy();
  let tracksSentAt = Number.NEGATIVE_INFINITY;
  const startedAt = new Date();
  const started = performance.now();
  onProgress({ stage: 'probe', done: 0, total: 1 });
  const probe = await probeVideo(path);
  onProgress({
    stage: 'probe',
    done: 1,
    total: 1,
    detail: `${probe.video.displayWidth}×${probe.video.displayHeight}, ${probe.durationSec.toFixed(1)} s`,
  });
  const tools = resolveFfmpeg();
  const hashing = sha256File(path, signal);
  hashing.catch(() => undefined);

  const backend = await initTensorflow();
  const faceDetector = await loadFaceDetector(options.faceDetector);
  let detector: DetectorModel | undefined;
  try {
    if (options.scoreFaces) detector = await loadDetector(options.detector);
  } catch (error) {
    faceDetector.dispose();
    throw error;
  }
  const architecture = detector?.metadata.architecture;
  const cropSpec = detector && {
    ...detector.metadata.crop,
    inputSize: detector.metadata.architecture.inputSize,
  };
  const heatmapSize = architecture ? boundaryMapSize(architecture) : 0;
  const tracker = new FaceTracker();
  const sampling = samplingWithMinimumFrames(probe, options.sampling, MIN_SAMPLED_FRAMES);
  const total = countSampledFrames(probe, sampling);
  const tally = new ScanTally(
    sampling.startSec ?? 0,
    samplingIntervalSec(sampling, probe.video.avgFps ?? probe.video.rFrameRate),
  );
  let decodeErrors = 0;
  const firstErrors: string[] = [];
  const onDecodeError = (message: string) => {
    if (decodeErrors++ < KEPT_DECODE_ERRORS) firstErrors.push(message);
  };
  let log: FrameLog;
  try {
    log = streaming.framesDir ? FrameLog.createIn(streaming.framesDir) : FrameLog.createPrivate();
  } catch (error) {
    faceDetector.dispose();
    detector?.dispose();
    throw error;
  }
  try {
    try {
      for await (const decoded of streamFrames(path, probe, sampling, { signal, onDecodeError })) {
        const faces = await detectFacesScaled(faceDetector, decoded, options.detectionMaxSide);
        const trackIds = tracker.update(decoded.timeSec, faces);
        const toDisplay = probe.video.displayWidth / decoded.width;
        const bigEnough = faces.map(
          (face) => Math.min(face.box.width, face.box.height) * toDisplay >= options.minFaceSize,
        );
        const judged = bigEnough.map((ok) => ok && cropSpec !== undefined);
        const crops = faces
          .filter((_, i) => judged[i])
          .map((face) => detectorCrop(decoded, face.keypoints, cropSpec!));
        const predictions = detector ? await detector.predict(crops) : [];
        let next = 0;
        const flagged: FlaggedFace[] = [];
        const scannedFaces: ScannedFace[] = faces.map((face, i) => {
          const geometry = faceGeometry(face, trackIds[i]!, toDisplay, options.includeLandmarks);
          if (!judged[i]) {
            return {
              ...geometry,
              manipulation: {
                status: bigEnough[i] ? 'not-scored' : 'too-small',
                probability: null,
                logit: null,
                strength: null,
                caveats: [],
                heatmap: null,
              },
            };
          }
          const crop = crops[next]!;
          const prediction = predictions[next++]!;
          const caveats = caveatsFor(face);
          // Each caveat halves the distance from 0.5: a turned or half-hidden face is weaker evidence either way.
          const probability = roundTo(
            0.5 + (prediction.probability - 0.5) * CAVEAT_SHRINK ** caveats.length,
            4,
          );
          if (probability >= options.heatmapThreshold) {
            flagged.push({
              trackId: trackIds[i]!,
              timeSec: decoded.timeSec,
              probability,
              crop,
              heatmap: prediction.boundary,
              mapSize: heatmapSize,
            });
          }
          return {
            ...geometry,
            manipulation: {
              status: 'scored',
              probability,
              logit: roundTo(prediction.logit, 4),
              strength: strengthFor(probability),
              caveats,
              // Three decimals: a faint map (the shipped detector's peak near 0.1) keeps its shape.
              heatmap:
                probability >= options.heatmapThreshold
                  ? Array.from(prediction.boundary, (v) => roundTo(v, 3))
                  : null,
            },
          };
        });
        const frame: ScannedFrame = {
          index: decoded.sampleIndex,
          timeSec: roundTo(decoded.timeSec, 6),
          faces: scannedFaces,
        };
        log.append(frame);
        tally.add(frame);
        onFrame?.(frame);
        if (onTracks && performance.now() - tracksSentAt >= LIVE_TRACKS_INTERVAL_MS) {
          tracksSentAt = performance.now();
          onTracks(scoreTracks(tracker, tally.perTrack).map(summariseTrack));
        }
        for (const face of flagged) await onFlaggedFace?.(face);
        const elapsed = (performance.now() - started) / 1000;
        onProgress({
          stage: 'scan',
          done: tally.sampledFrames,
          total: Math.max(total, tally.sampledFrames),
          detail: `${(tally.sampledFrames / elapsed).toFixed(1)} frames/s`,
        });
      }
    } finally {
      faceDetector.dispose();
      detector?.dispose();
    }
    if (signal?.aborted) throw new UnmaskError('cancelled', 'Scan cancelled.');
    const sha256 = await hashing;
    const head = scanHead({
      path,
      probe,
      sha256,
      sampling,
      options,
      heatmapSize,
      backend,
      tools,
      faceModels: faceDetector.info.models,
      detector,
      tracker,
      tally,
      damage: scanDamage(decodeErrors, firstErrors, tally.gaps),
      startedAt,
      durationSec: roundTo((performance.now() - started) / 1000, 2),
    });
    return { head, frames: log };
  } catch (error) {
    log.discard();
    throw error;
  }
}

/** Everything a scan says besides its frames, from what the scan loop kept of them. */
function scanHead(facts: {
  path: string;
  probe: Awaited<ReturnType<typeof probeVideo>>;
  sha256: string;
  sampling: FrameSampling;
  options: ScanOptions;
  heatmapSize: number;
  backend: Awaited<ReturnType<typeof initTensorflow>>;
  tools: ReturnType<typeof resolveFfmpeg>;
  faceModels: ReadonlyArray<{ name: string; file: string; sha256: string }>;
  detector: DetectorModel | undefined;
  tracker: FaceTracker;
  tally: ScanTally;
  damage: ScanHead['damage'];
  startedAt: Date;
  durationSec: number;
}): ScanHead {
  const { path, probe, sampling, options, detector, tally, damage } = facts;
  const trackScores = scoreTracks(facts.tracker, tally.perTrack);
  const tracks = trackScores.map(summariseTrack);
  const verdict = videoVerdict(trackScores.map((t) => t.scored));
  const aiLabel = readAiLabel(probe);
  const labelNote = aiLabel?.aiGenerated
    ? ` The file declares itself AI-generated (${aiLabel.tag}=${aiLabel.value}${aiLabel.generator ? `, by ${aiLabel.generator}` : ''}).`
    : '';
  const verdictScore = Number.isFinite(verdict.score) ? roundTo(verdict.score, 4) : null;
  const verdictMessage = describeScan({
    faces: tally.faces,
    framesWithFaces: tally.framesWithFaces,
    sampledFrames: tally.sampledFrames,
    people: tracks.length,
    label: verdict.label,
    score: verdictScore,
  });
  const detectorModels = detector
    ? [
        {
          name: `${detector.metadata.name} ${detector.metadata.version}`,
          file: 'weights.bin',
          sha256: detector.manifest.files['weights.bin']?.sha256 ?? '',
        },
      ]
    : [];
  return {
    format: SCAN_FORMAT,
    formatVersion: SCAN_FORMAT_VERSION,
    input: {
      path: resolve(path),
      fileName: basename(path),
      sizeBytes: probe.sizeBytes,
      sha256: facts.sha256,
    },
    probe: probe as unknown as Record<string, unknown>,
    settings: {
      sampling: { ...sampling },
      detectionMaxSide: options.detectionMaxSide,
      minFaceSize: options.minFaceSize,
      heatmapThreshold: options.heatmapThreshold,
      heatmapSize: facts.heatmapSize,
      faceDetector: { ...DEFAULT_FACE_DETECTOR_CONFIG, ...options.faceDetector, modelsDir: undefined },
    },
    engine: {
      name: 'unmask',
      version: ENGINE_VERSION,
      tensorflowBackend: facts.backend.backend,
      tfjsVersion: facts.backend.tfjsVersion,
      ffmpeg: toolRecord(facts.tools.ffmpeg),
      ffprobe: toolRecord(facts.tools.ffprobe),
      models: [
        ...facts.faceModels.map((m) => ({ name: m.name, file: basename(m.file), sha256: m.sha256 })),
        ...detectorModels,
      ],
    },
    ...(aiLabel && { aiLabel }),
    ...(damage && { damage }),
    tracks,
    verdict: {
      label: verdict.label,
      score: verdictScore,
      strength: verdict.strength,
      decidingTrackId: verdict.decidingTrackId,
      inconclusiveBand: [...DEFAULT_AGGREGATION.inconclusiveBand],
      method: AGGREGATION_METHOD,
      caveats: verdictCaveats(verdictBasisFromCounts({ probe, tracks, verdict, damage }, tally.frameCounts)),
    },
    summary: {
      sampledFrames: tally.sampledFrames,
      framesWithFaces: tally.framesWithFaces,
      faces: tally.faces,
      tracks: tracks.length,
      noFacesFound: tally.faces === 0,
      message: `${verdictMessage}${labelNote}`,
    },
    run: { startedAt: facts.startedAt.toISOString(), durationSec: facts.durationSec },
  };
}
