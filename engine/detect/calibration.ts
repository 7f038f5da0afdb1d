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
  let a = 1;
  let b = 0;
  for (let iteration = 0; iteration < iterations; iteration++) {
    // Gradient and Hessian of the cross-entropy in (a, b), plus a tiny ridge for stability.
    let ga = 0;
    let gb = 0;
    let haa = 1e-9;
    let hab = 0;
    let hbb = 1e-9;
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
    const det = haa * hbb - hab * hab;
    if (Math.abs(det) < 1e-18) break;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    a -= da;
    b -= db;
    if (Math.abs(da) < 1e-10 && Math.abs(db) < 1e-10) break;
  }
  return { method: 'platt', a, b };
}
