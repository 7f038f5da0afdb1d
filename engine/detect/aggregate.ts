/**
 * From per-frame face probabilities to a per-track score and a video verdict. Pure.
 *
 * Why this aggregation:
 * - Per-frame scores swing (a MeVer fake ranged 0.13–0.99), so each track is first smoothed with a moving
 *   median over `smoothingWindowSec`: spikes shorter than half the window vanish, steps survive.
 * - The track score is a high quantile (`trackQuantile`, default 0.75) of the smoothed scores: a swap that
 *   covers at least a quarter of a person's screen time drives it, while a few bad frames of a real face do
 *   not. The mean (SBI, DeepfakeBench) dilutes partial swaps; the max turns every glitch into a flag.
 * - The video score is the max over tracks long enough to judge: one manipulated person among real ones is
 *   what matters, and multi-person videos must not be averaged into one score.
 */
import {
  INCONCLUSIVE_BAND,
  strengthFor,
  verdictFor,
  type VerbalStrength,
  type VerdictLabel,
} from './verdict.ts';

export interface TimedProbability {
  timeSec: number;
  probability: number;
}

export interface AggregationConfig {
  smoothingWindowSec: number;
  trackQuantile: number;
  /** Tracks with fewer scored frames are reported but do not decide the verdict. */
  minTrackFrames: number;
  /** Calibrated probabilities in [low, high) are "inconclusive". */
  inconclusiveBand: readonly [number, number];
}

export const DEFAULT_AGGREGATION: AggregationConfig = {
  smoothingWindowSec: 1,
  trackQuantile: 0.75,
  minTrackFrames: 3,
  inconclusiveBand: INCONCLUSIVE_BAND,
};

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** Linear-interpolated quantile (type 7, as numpy's default). */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = values.slice().sort((a, b) => a - b);
  const position = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  return sorted[lower]! + (sorted[upper]! - sorted[lower]!) * (position - lower);
}

/** Centred moving median over a time window; input need not be evenly spaced but must be time-ordered. */
export function smoothProbabilities(
  points: readonly TimedProbability[],
  windowSec: number,
): TimedProbability[] {
  const half = windowSec / 2;
  let start = 0;
  let end = 0;
  return points.map((point) => {
    while (points[start]!.timeSec < point.timeSec - half) start++;
    while (end < points.length && points[end]!.timeSec <= point.timeSec + half) end++;
    return {
      timeSec: point.timeSec,
      probability: median(points.slice(start, end).map((p) => p.probability)),
    };
  });
}

export interface TrackScore {
  trackId: number;
  scoredFrames: number;
  score: number;
  smoothed: TimedProbability[];
  decisive: boolean;
}

export function scoreTrack(
  trackId: number,
  points: readonly TimedProbability[],
  config = DEFAULT_AGGREGATION,
): TrackScore {
  const ordered = points.slice().sort((a, b) => a.timeSec - b.timeSec);
  const smoothed = ordered.length ? smoothProbabilities(ordered, config.smoothingWindowSec) : [];
  return {
    trackId,
    scoredFrames: ordered.length,
    score: quantile(
      smoothed.map((p) => p.probability),
      config.trackQuantile,
    ),
    smoothed,
    decisive: ordered.length >= config.minTrackFrames,
  };
}

export interface VideoVerdict {
  score: number;
  label: VerdictLabel;
  strength: VerbalStrength | null;
  decidingTrackId: number | null;
}

export function videoVerdict(tracks: readonly TrackScore[], config = DEFAULT_AGGREGATION): VideoVerdict {
  const decisive = tracks.filter((t) => t.decisive && Number.isFinite(t.score));
  if (decisive.length === 0)
    return { score: Number.NaN, label: 'not-enough-evidence', strength: null, decidingTrackId: null };
  const worst = decisive.reduce((a, b) => (b.score > a.score ? b : a));
  const label = verdictFor(worst.score, config.inconclusiveBand);
  return {
    score: worst.score,
    label,
    strength: strengthFor(worst.score, label),
    decidingTrackId: worst.trackId,
  };
}
