/** Learning-rate schedules shared by the trainers (pure functions of training progress), and how they apply one. */
import type { tf } from '../runtime/tensorflow.ts';

/**
 * Cosine decay: `base` until `decayFrom` (a fraction of the run), then half a cosine down to
 * `base × finalFraction` at the end of the run (`progress` = steps done / steps planned, clamped to 0..1).
 */
export function cosineDecay(base: number, progress: number, finalFraction: number, decayFrom = 0): number {
  const p = Math.min(1, Math.max(0, progress));
  if (p <= decayFrom) return base;
  const t = (p - decayFrom) / (1 - decayFrom);
  return base * (finalFraction + (1 - finalFraction) * 0.5 * (1 + Math.cos(Math.PI * t)));
}

/**
 * Sets a tfjs optimizer's learning rate for the next update. tfjs reads `learningRate` on every
 * applyGradients but keeps it protected, so schedules set it through this one cast.
 */
export function setOptimizerLearningRate(optimizer: tf.Optimizer, learningRate: number): void {
  (optimizer as unknown as { learningRate: number }).learningRate = learningRate;
}
