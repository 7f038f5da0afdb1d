/** Evaluation metrics for binary scores (label 1 = manipulated). Pure functions. */

export interface LabelledScore {
  score: number;
  label: 0 | 1;
}

/** Area under the ROC curve via the Mann–Whitney U statistic; ties count one half. NaN if a class is empty. */
export function rocAuc(samples: readonly LabelledScore[]): number {
  const sorted = samples.slice().sort((a, b) => a.score - b.score);
  let positives = 0;
  let rankSum = 0;
  let i = 0;
  while (i < sorted.length) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1]!.score === sorted[i]!.score) j++;
    const averageRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (sorted[k]!.label === 1) {
        positives++;
        rankSum += averageRank;
      }
    }
    i = j + 1;
  }
  const negatives = sorted.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

export interface RocPoint {
  threshold: number;
  falsePositiveRate: number;
  truePositiveRate: number;
}

/** ROC curve points, from the strictest threshold to the loosest. */
export function rocCurve(samples: readonly LabelledScore[]): RocPoint[] {
  const positives = samples.filter((s) => s.label === 1).length;
  const negatives = samples.length - positives;
  const sorted = samples.slice().sort((a, b) => b.score - a.score);
  const points: RocPoint[] = [
    { threshold: Number.POSITIVE_INFINITY, falsePositiveRate: 0, truePositiveRate: 0 },
  ];
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < sorted.length; i++) {
    if (sorted[i]!.label === 1) tp++;
    else fp++;
    if (i + 1 < sorted.length && sorted[i + 1]!.score === sorted[i]!.score) continue;
    points.push({
      threshold: sorted[i]!.score,
      falsePositiveRate: negatives ? fp / negatives : 0,
      truePositiveRate: positives ? tp / positives : 0,
    });
  }
  return points;
}

export interface ThresholdStats {
  accuracy: number;
  falsePositiveRate: number;
  truePositiveRate: number;
}

export function statsAtThreshold(samples: readonly LabelledScore[], threshold: number): ThresholdStats {
  let tp = 0;
  let tn = 0;
  let fp = 0;
  let fn = 0;
  for (const { score, label } of samples) {
    const flagged = score >= threshold;
    if (flagged && label === 1) tp++;
    else if (flagged) fp++;
    else if (label === 1) fn++;
    else tn++;
  }
  return {
    accuracy: samples.length ? (tp + tn) / samples.length : Number.NaN,
    falsePositiveRate: fp + tn ? fp / (fp + tn) : Number.NaN,
    truePositiveRate: tp + fn ? tp / (tp + fn) : Number.NaN,
  };
}

/** Expected calibration error with equal-width bins over [0, 1]: Σ_b (n_b / N) · |mean score_b − positive rate_b|. */
export function expectedCalibrationError(samples: readonly LabelledScore[], bins = 10): number {
  const count = new Array<number>(bins).fill(0);
  const scoreSum = new Array<number>(bins).fill(0);
  const positiveSum = new Array<number>(bins).fill(0);
  for (const { score, label } of samples) {
    const b = Math.min(bins - 1, Math.max(0, Math.floor(score * bins)));
    count[b]!++;
    scoreSum[b]! += score;
    positiveSum[b]! += label;
  }
  let ece = 0;
  for (let b = 0; b < bins; b++) {
    if (count[b] === 0) continue;
    ece += (count[b]! / samples.length) * Math.abs(scoreSum[b]! / count[b]! - positiveSum[b]! / count[b]!);
  }
  return ece;
}

/**
 * Standard error of an AUC from independent samples (Hanley & McNeil, Radiology 1982). Faces from one clip are
 * not independent, so treat it as a lower bound on the real uncertainty.
 */
export function aucStandardError(auc: number, positives: number, negatives: number): number {
  const q1 = auc / (2 - auc);
  const q2 = (2 * auc * auc) / (1 + auc);
  const variance =
    (auc * (1 - auc) + (positives - 1) * (q1 - auc * auc) + (negatives - 1) * (q2 - auc * auc)) /
    (positives * negatives);
  return Math.sqrt(variance);
}
