/**
 * What the Analysis screen shows: a live scan (frames stream in) or a saved case. Per-person series are
 * derived from frames, so a live view and a finished one draw the same way. Pure.
 */
import type { JobError, LiveTrack, ScannedFrame, ScanResult } from '../common/contract.ts';

export interface ScanProgress {
  stage: string;
  done: number;
  total: number | null;
  detail: string | null;
}

export interface Analysis {
  jobId: string | null;
  caseId: string | null;
  path: string;
  fileName: string;
  status: 'running' | 'finished' | 'failed' | 'cancelled';
  frames: ScannedFrame[];
  /** Each person's track score so far while the scan runs (the saved scan's tracks replace them). */
  liveTracks: LiveTrack[];
  progress: ScanProgress | null;
  error: JobError | null;
  scan: ScanResult | null;
  /** Display size and length of the video; 0/null until the engine has probed it. */
  displayWidth: number;
  displayHeight: number;
  durationSec: number | null;
}

export function liveAnalysis(jobId: string, path: string, fileName: string): Analysis {
  return {
    jobId,
    caseId: null,
    path,
    fileName,
    status: 'running',
    frames: [],
    liveTracks: [],
    progress: null,
    error: null,
    scan: null,
    displayWidth: 0,
    displayHeight: 0,
    durationSec: null,
  };
}

export function caseAnalysis(caseId: string, scan: ScanResult, jobId: string | null = null): Analysis {
  const probe = scan.probe as {
    durationSec?: number;
    video?: { displayWidth?: number; displayHeight?: number };
  };
  return {
    displayWidth: probe.video?.displayWidth ?? 0,
    displayHeight: probe.video?.displayHeight ?? 0,
    durationSec: probe.durationSec ?? null,
    jobId,
    caseId,
    path: scan.input.path,
    fileName: scan.input.fileName,
    status: 'finished',
    frames: scan.frames,
    liveTracks: [],
    progress: null,
    error: null,
    scan,
  };
}

/** The people's tracks as far as they are known: the saved scan's, else the running scan's latest. */
export function knownTracks(analysis: Analysis): readonly LiveTrack[] {
  return analysis.scan?.tracks ?? analysis.liveTracks;
}

export interface PersonSeries {
  trackId: number;
  /** Per sampled frame: time and probability (null where the face was not judged). */
  points: Array<{ timeSec: number; probability: number | null }>;
}

export function personSeries(frames: readonly ScannedFrame[]): PersonSeries[] {
  const byTrack = new Map<number, PersonSeries>();
  for (const frame of frames) {
    for (const face of frame.faces) {
      const series = byTrack.get(face.trackId) ?? { trackId: face.trackId, points: [] };
      series.points.push({ timeSec: frame.timeSec, probability: face.manipulation.probability });
      byTrack.set(face.trackId, series);
    }
  }
  return [...byTrack.values()].sort((a, b) => a.trackId - b.trackId);
}

/** The sampled frame shown at `timeSec`: the latest one at or before it, if it is recent enough. */
export function frameAt(
  frames: readonly ScannedFrame[],
  timeSec: number,
  maxAgeSec: number,
): ScannedFrame | null {
  let lo = 0;
  let hi = frames.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (frames[mid]!.timeSec <= timeSec + 1e-3) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (found < 0) return frames[0] && frames[0].timeSec - timeSec < maxAgeSec ? frames[0] : null;
  const frame = frames[found]!;
  return timeSec - frame.timeSec <= maxAgeSec ? frame : null;
}

/** The `count` highest-scoring frames of one person, highest first. */
export function worstFrames(frames: readonly ScannedFrame[], trackId: number, count: number) {
  const scored: Array<{ timeSec: number; probability: number }> = [];
  for (const frame of frames) {
    for (const face of frame.faces) {
      if (face.trackId === trackId && face.manipulation.probability !== null)
        scored.push({ timeSec: frame.timeSec, probability: face.manipulation.probability });
    }
  }
  return scored.sort((a, b) => b.probability - a.probability).slice(0, count);
}
