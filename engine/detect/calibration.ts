/**
 * Platt scaling: p = σ(a·z + b) on the model's raw logit z, fitted by Newton's method on held-out data with
 * Platt's smoothed targets (so a perfectly separable set does not push a to infinity). Pure.
 */
export interface PlattCalibration {
  method: 'platt';
  a: number;
  b: number;
}

export const IDENTITY_CALIBRATION: PlattCalibration = { method: 'platt', a: 1, b: 0 };

export function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

export function applyCalibration(calibration: PlattCalibration, logit: number): number {
  return sigmoid(calibration.a * logit + calibration.b);
}

export function fitPlatt(
  logits: readonly number[],
  labels: readonly (0 | 1)[],
  iterations = 100,
): PlattCalibration {
  if (logits.length !== labels.length) throw new Error('fitPlatt: logits and labels differ in length');
  const positives = labels.filter((l) => l === 1).length;
  const negatives = labels.length - positives;
  if (positives === 0 || negatives === 0) throw new Error('fitPlatt needs both classes');
  const hi = (positives + 1) / (positives + 2);
  const lo = 1 / (negatives + 2);
  const targets = labels.map((l) => (l === 1 ? hi : lo));
  // Newton's method with backtracking (Lin, Lin & Weng 2007): a full Newton step can overshoot badly when the
  // classes are nearly separable, so a step is halved until the cross-entropy actually decreases.
  const objective = (a: number, b: number) => {
    let total = 0;
    for (let i = 0; i < logits.length; i++) {
      const f = a * logits[i]! + b;
      const t = targets[i]!;
      // −[t log σ(f) + (1−t) log(1−σ(f))], written stably.
      total += f >= 0 ? (1 - t) * f + Math.log1p(Math.exp(-f)) : -t * f + Math.log1p(Math.exp(f));
    }
    return total;
  };
  let a = 1;
  let b = 0;
  let current = objective(a, b);
  for (let iteration = 0; iteration < iterations; iteration++) {
    let ga = 0;
    let gb = 0;
    let haa = 1e-12;
    let hab = 0;
    let hbb = 1e-12;
    for (let i = 0; i < logits.length; i++) {
      const z = logits[i]!;
      const p = sigmoid(a * z + b);
      const r = p - targets[i]!;
      const w = Math.max(p * (1 - p), 1e-12);
      ga += r * z;
      gb += r;
      haa += w * z * z;
      hab += w * z;
      hbb += w;
    }
    if (Math.abs(ga) < 1e-9 && Math.abs(gb) < 1e-9) break;
    const det = haa * hbb - hab * hab;
    if (!(Math.abs(det) > 1e-18)) break;
    const da = -(hbb * ga - hab * gb) / det;
    const db = -(haa * gb - hab * ga) / det;
    let stepSize = 1;
    let accepted = false;
    while (stepSize >= 1e-10) {
      const candidate = objective(a + stepSize * da, b + stepSize * db);
      if (candidate < current + 1e-4 * stepSize * (ga * da + gb * db)) {
        a += stepSize * da;
        b += stepSize * db;
        current = candidate;
        accepted = true;
        break;
      }
      stepSize /= 2;
    }
    if (!accepted) break;
  }
  return { method: 'platt', a, b };
}
