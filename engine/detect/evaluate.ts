/** Detector evaluation from scan results: frame- and video-level AUC, threshold stats and calibration. Pure. */
import type { ScanResult } from '../scan/scan-result.ts';
import {
  expectedCalibrationError,
  rocAuc,
  rocCurve,
  statsAtThreshold,
  type LabelledScore,
  type RocPoint,
  type ThresholdStats,
} from './metrics.ts';
import { FLAG_THRESHOLD } from './verdict.ts';

/** The score at which the app flags a face or video as likely manipulated; defined with the verdict vocabulary. */
export const DEFAULT_FLAG_THRESHOLD = FLAG_THRESHOLD;

export interface LabelledScan {
  label: 0 | 1;
  scan: ScanResult;
}

export interface EvaluationSummary {
  videos: { real: number; fake: number; unjudged: number };
  frameLevel: { samples: number; auc: number; ece: number; roc: RocPoint[] };
  videoLevel: {
    samples: number;
    auc: number;
    ece: number;
    roc: RocPoint[];
    atFlagThreshold: ThresholdStats;
    atHalf: ThresholdStats;
  };
}

/** Per frame, the highest probability over its scored faces (SBI's frame rule). */
export function frameScores(scan: ScanResult): number[] {
  return scan.frames
    .map((f) => Math.max(...f.faces.map((face) => face.manipulation.probability ?? Number.NEGATIVE_INFINITY)))
    .filter((v) => Number.isFinite(v));
}

export function evaluateScans(
  scans: readonly LabelledScan[],
  flagThreshold = DEFAULT_FLAG_THRESHOLD,
): EvaluationSummary {
  const frames: LabelledScore[] = [];
  const videos: LabelledScore[] = [];
  let unjudged = 0;
  for (const { label, scan } of scans) {
    for (const score of frameScores(scan)) frames.push({ score, label });
    if (scan.verdict.score === null) unjudged++;
    else videos.push({ score: scan.verdict.score, label });
  }
  return {
    videos: {
      real: scans.filter((s) => s.label === 0).length,
      fake: scans.filter((s) => s.label === 1).length,
      unjudged,
    },
    frameLevel: {
      samples: frames.length,
      auc: rocAuc(frames),
      ece: expectedCalibrationError(frames),
      roc: rocCurve(frames),
    },
    videoLevel: {
      samples: videos.length,
      auc: rocAuc(videos),
      ece: expectedCalibrationError(videos),
      roc: rocCurve(videos),
      atFlagThreshold: statsAtThreshold(videos, flagThreshold),
      atHalf: statsAtThreshold(videos, 0.5),
    },
  };
}
