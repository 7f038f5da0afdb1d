/**
 * Scan (+ case facts) → report. Pure: no clock, no files. The caller passes `generatedAt`.
 */
import {
  CONSENT_WARNING_TEXT,
  INCONCLUSIVE_BAND,
  strengthFor,
  VERDICT_HEADLINES,
} from '../detect/verdict.ts';
import type { ScanResult } from '../scan/scan-result.ts';
import type { Provenance } from '../store/case-store.ts';
import { declaresAiGenerated, readAiTags } from '../scan/ai-label.ts';
import type { VideoProbe } from '../video/probe.ts';
import { samplingIntervalSec } from '../video/timeline-gaps.ts';
import {
  REPORT_FORMAT,
  REPORT_FORMAT_VERSION,
  type Report,
  type ReportFrame,
  type ReportPerson,
} from './report-format.ts';

/** Who makes a report: both optional, printed on every page when given. */
export interface ReportAnalyst {
  name?: string;
  organisation?: string;
}

export interface ReportContext {
  caseId?: string;
  notes?: string;
  analyst?: ReportAnalyst;
  provenance?: Provenance;
  generatedAt: string;
  /** How many worst frames each person card shows. */
  worstFramesPerPerson?: number;
}

export const REPORT_LIMITATIONS: readonly string[] = [
  'The detector looks for blending traces left when a generated face is pasted into a real frame (face swaps, ' +
    'reenactment). Fully generated videos with no pasting leave no blend boundary and may not be detected.',
  'It was trained only on real faces and self-blended fakes, never on a deepfake dataset; its probabilities are ' +
    'calibrated on held-out self-blends, so read them as the strength of blending evidence, not as a frequency.',
  'Heavy re-compression, small, blurred, profile or occluded faces weaken the evidence; such faces are skipped or ' +
    'carry a caveat.',
  `Scores between ${INCONCLUSIVE_BAND[0]} and ${INCONCLUSIVE_BAND[1]} are ` +
    'inconclusive: they are not evidence either way, and this report does not round them into a verdict.',
  'A verdict of "no manipulation detected" is not proof of authenticity. Combine it with source verification.',
];

export function scanCaseId(scan: ScanResult): string {
  return `scan-${scan.input.sha256.slice(0, 12)}`;
}

/**
 * Where the timelines' time axis ends: one sampling interval after the last sampled frame, or the container's
 * end where that comes first. Only frames that were decoded set it: a crafted header can claim a duration of
 * 1e12 s, which would squeeze every frame into the axis's first pixel.
 */
export function timelineEndSec(scan: ScanResult): number {
  const probe = scan.probe as Partial<VideoProbe>;
  const last = scan.frames.at(-1)?.timeSec ?? 0;
  const sourceFps = probe.video?.avgFps ?? probe.video?.rFrameRate ?? null;
  const container = probe.durationSec;
  const end = last + samplingIntervalSec(scan.settings.sampling, sourceFps);
  return container !== undefined && Number.isFinite(container) && container >= last && container <= end
    ? container
    : end;
}

export function buildReport(scan: ScanResult, context: ReportContext): Report {
  const probe = scan.probe as Partial<VideoProbe>;
  const perPerson = context.worstFramesPerPerson ?? 3;
  const people = scan.tracks.map((track): ReportPerson => {
    const faces = scan.frames.flatMap((frame) =>
      frame.faces
        .filter((face) => face.trackId === track.id && face.manipulation.probability !== null)
        .map((face) => ({ frame, face, probability: face.manipulation.probability! })),
    );
    const smoothedByTime = new Map(track.smoothed.map((p) => [p.timeSec, p.probability]));
    const worst = faces
      .slice()
      .sort((a, b) => b.probability - a.probability || a.frame.timeSec - b.frame.timeSec)
      .slice(0, perPerson)
      .map(({ frame, face, probability }): ReportFrame => ({
        frameIndex: frame.index,
        timeSec: frame.timeSec,
        probability,
        strength: strengthFor(probability),
        box: face.box,
        caveats: face.manipulation.caveats,
        heatmap: face.manipulation.heatmap
          ? {
              size: Math.round(Math.sqrt(face.manipulation.heatmap.length)),
              values: face.manipulation.heatmap,
            }
          : null,
      }));
    return {
      trackId: track.id,
      firstTimeSec: track.firstTimeSec,
      lastTimeSec: track.lastTimeSec,
      frames: track.frames,
      scoredFrames: track.scoredFrames,
      score: track.score,
      label: track.label,
      strength: strengthFor(track.score, track.label),
      decisive: track.decisive,
      timeline: faces.map(({ frame, probability }) => ({
        timeSec: frame.timeSec,
        probability,
        smoothed: smoothedByTime.get(frame.timeSec) ?? probability,
      })),
      worstFrames: worst,
    };
  });
  const flagged = people.some((p) => p.label === 'likely-manipulated');
  const aiTags = readAiTags(scan.probe);
  const video = probe.video;
  const sampling = Object.fromEntries(
    Object.entries(scan.settings.sampling).filter(([, v]) => typeof v === 'number'),
  ) as Record<string, number>;
  return {
    format: REPORT_FORMAT,
    formatVersion: REPORT_FORMAT_VERSION,
    generatedAt: context.generatedAt,
    caseId: context.caseId ?? scanCaseId(scan),
    verdict: {
      label: scan.verdict.label,
      headline: VERDICT_HEADLINES[scan.verdict.label],
      score: scan.verdict.score,
      strength: strengthFor(scan.verdict.score, scan.verdict.label),
      inconclusiveBand: scan.verdict.inconclusiveBand,
      decidingTrackId: scan.verdict.decidingTrackId,
      method: scan.verdict.method,
      caveats: [...scan.verdict.caveats],
    },
    consentWarning: { shown: flagged, text: CONSENT_WARNING_TEXT },
    damage: scan.damage ? { decodeErrors: scan.damage.decodeErrors, missing: scan.damage.missing } : null,
    input: { ...scan.input },
    container: {
      formatName: probe.formatLongName ?? null,
      durationSec: probe.durationSec ?? null,
      videoCodec: video?.codec ?? null,
      width: video?.displayWidth ?? null,
      height: video?.displayHeight ?? null,
      frameRate: video?.avgFps ?? null,
      rotation: video?.rotation ?? null,
      audio: probe.audio
        ? `${probe.audio.codec}${probe.audio.sampleRate ? `, ${probe.audio.sampleRate} Hz` : ''}${probe.audio.channels ? `, ${probe.audio.channels} ch` : ''}`
        : null,
      encoder: probe.tags?.['encoder'] ?? video?.tags?.['encoder'] ?? null,
      creationTime: probe.tags?.['creation_time'] ?? null,
      tags: { ...(probe.tags ?? {}) },
    },
    provenance: {
      aiGenerated: declaresAiGenerated(aiTags),
      aiTags,
      contentCredentials: context.provenance?.contentCredentials ?? null,
    },
    people,
    summary: {
      sampledFrames: scan.summary.sampledFrames,
      framesWithFaces: scan.summary.framesWithFaces,
      faces: scan.summary.faces,
      people: scan.summary.tracks,
      message: scan.summary.message,
      timelineEndSec: timelineEndSec(scan),
    },
    settings: {
      sampling,
      minFaceSize: scan.settings.minFaceSize,
      detectionMaxSide: scan.settings.detectionMaxSide,
    },
    engine: {
      version: scan.engine.version,
      tensorflowBackend: scan.engine.tensorflowBackend,
      tfjsVersion: scan.engine.tfjsVersion,
      ffmpeg: scan.engine.ffmpeg.version,
      models: scan.engine.models,
    },
    methods: [
      'Faces were found with BlazeFace and FaceMesh, tracked into people, aligned to a canonical crop and scored by ' +
        "Unmask's self-blended-images detector, which also draws a blend-boundary map of where two images appear joined.",
      'Each face score is a calibrated probability (Platt scaling on held-out faces).',
      scan.verdict.method,
    ],
    limitations: [
      ...REPORT_LIMITATIONS,
      ...[scan.engine.ffmpeg.warning, scan.engine.ffprobe.warning].filter((w) => w !== undefined),
    ],
    reproduction: {
      command: reproductionCommand(scan),
      note:
        'Run with the same Unmask and model versions (above) on a file with the same SHA-256 to get the same ' +
        'scores; only the timing fields differ.',
    },
    notes: context.notes ?? '',
    analyst: {
      name: context.analyst?.name?.trim() || null,
      organisation: context.analyst?.organisation?.trim() || null,
    },
    scan: { formatVersion: scan.formatVersion, timing: { ...scan.run } },
  };
}

function reproductionCommand(scan: ScanResult): string {
  const s = scan.settings.sampling;
  const args = ['unmask', 'scan', shellQuote(scan.input.fileName)];
  if (s.everyNth) args.push('--every-nth', String(s.everyNth));
  else if (s.fps) args.push('--fps', String(s.fps));
  if (s.maxFrames) args.push('--max-frames', String(s.maxFrames));
  if (s.startSec !== undefined) args.push('--start', String(s.startSec));
  if (s.endSec !== undefined) args.push('--end', String(s.endSec));
  args.push('--min-face', String(scan.settings.minFaceSize));
  return args.join(' ');
}

function shellQuote(text: string): string {
  return /^[\w./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
