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
 * A linear warm-up over the first `warmupSteps` steps (from base/warmupSteps to base), then `cosineDecay`:
 * fine-tuning a pretrained network with a fresh head would otherwise take full-size steps from the head's
 * random gradients and damage the pretrained features first.
 */
export function warmupCosine(
  base: number,
  step: number,
  steps: number,
  warmupSteps: number,
  finalFraction: number,
): number {
  const decayed = cosineDecay(base, step / steps, finalFraction);
  return step < warmupSteps ? (decayed * (step + 1)) / warmupSteps : decayed;
}

/**
 * Sets a tfjs optimizer's learning rate for the next update. tfjs reads `learningRate` on every
 * applyGradients but keeps it protected, so schedules set it through this one cast.
 */
export function setOptimizerLearningRate(optimizer: tf.Optimizer, learningRate: number): void {
  (optimizer as unknown as { learningRate: number }).learningRate = learningRate;
}
