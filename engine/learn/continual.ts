/**
 * Continual learning with MAS: teach a trained model a new task while penalising changes to the weights that
 * mattered for the old one(s). Works on any model whose first output is a logit (the detector).
 *
 * The recipe (`DEFAULT_CONTINUAL`, `measureImportance`) is the one the forgetting benchmark measured
 * (bench/forgetting.ts, docs/learning.md), and `unmask learn` uses it too, so λ means the same in both:
 * Ω per sample of every output on the old task's inputs, scaled to mean 1; Adam; mini-batches of 16; early
 * stopping on the new task's validation AUC with the best weights kept.
 */
import { tf } from '../runtime/tensorflow.ts';
import { rocAuc } from '../detect/metrics.ts';
import type { PackedPairs } from '../detect/pair-producer.ts';
import { createRandom } from '../util/random.ts';
import type { ProgressListener } from '../util/progress.ts';
import { hebbianImportance } from './hebbian.ts';
import {
  accumulateImportance,
  anchorWeights,
  masImportance,
  masPenalty,
  disposeImportance,
  normaliseImportance,
  type Importance,
  type MasAnchor,
} from './mas.ts';

export interface ContinualConfig {
  lambda: number;
  steps: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  /** Old-task faces Ω is measured on; each also gives one self-blend, so Ω sees twice as many inputs. */
  importanceFaces: number;
  /** What F is when MAS Ω is measured: the logit alone, or every output (`measureImportance`). */
  importanceOutputs: ImportanceOutputs;
  /** With a validation set: evaluate every this many steps, keep the best weights, stop after `patience` evaluations without a gain. */
  evalEvery: number;
  patience: number;
}

/**
 * The forgetting benchmark's recipe: per-sample Ω of every output (logit and blend-boundary map), scaled to
 * mean 1, at λ = 1, the value its validation split chose for that Ω (docs/learning.md; Ω of the logit alone
 * needed λ = 0.03 and forgot and learned worse on all eight seeds pooled).
 */
export const DEFAULT_CONTINUAL: ContinualConfig = {
  lambda: 1,
  /** A cap: early stopping ends a run sooner. At λ 1 the penalty slows learning, and 400 cut a run short. */
  steps: 800,
  batchSize: 16,
  learningRate: 1e-3,
  seed: 1,
  importanceFaces: 64,
  importanceOutputs: 'all',
  evalEvery: 25,
  patience: 4,
};

export interface ContinualOptions {
  onProgress?: ProgressListener;
  /** New-task validation set for early stopping (every method alike); the weights of its best AUC are kept. */
  validation?: LabelledSet;
  /** Called after each validation, e.g. to trace the old task's AUC along the way. */
  onEvaluate?: (step: number, validationAuc: number) => Promise<void> | void;
}

export interface ContinualResult extends MasAnchor {
  /** Steps actually trained (fewer than configured when early stopping ended the run). */
  steps: number;
  /** Step whose weights were kept (the last one without a validation set). */
  bestStep: number;
  history: Array<{ step: number; validationAuc: number }>;
}

export interface LabelledSet {
  /** N×S×S×3 in the network's input range. */
  x: tf.Tensor;
  /** N labels, 0 or 1. */
  y: number[];
}

/** Self-blend pairs as a labelled set: the real crops (0) then their blends (1), in [-1, 1]. */
export function labelledSetFromPairs(pairs: PackedPairs, size: number): LabelledSet {
  return {
    x: tf.tidy(() =>
      tf
        .concat([
          tf.tensor4d(pairs.real, [pairs.count, size, size, 3]),
          tf.tensor4d(pairs.fake, [pairs.count, size, size, 3]),
        ])
        .mul(2)
        .sub(1),
    ),
    y: [...new Array<number>(pairs.count).fill(0), ...new Array<number>(pairs.count).fill(1)],
  };
}

function logitOf(model: tf.LayersModel, x: tf.Tensor): tf.Tensor {
  const out = model.apply(x, { training: false }) as tf.Tensor | tf.Tensor[];
  return (Array.isArray(out) ? out[0]! : out).reshape([-1]);
}

/** The logit of every sample of `set`, in order (batched, leak-free). */
export async function setLogits(model: tf.LayersModel, set: LabelledSet, batch = 32): Promise<number[]> {
  const scores: number[] = [];
  for (let start = 0; start < set.y.length; start += batch) {
    const end = Math.min(set.y.length, start + batch);
    const logits = tf.tidy(() => logitOf(model, set.x.slice(start, end - start)));
    scores.push(...(await logits.data()));
    logits.dispose();
  }
  return scores;
}

/** AUC of the model's logit on a labelled set. */
export async function logitAuc(model: tf.LayersModel, set: LabelledSet, batch = 32): Promise<number> {
  const scores = await setLogits(model, set, batch);
  return rocAuc(scores.map((score, i) => ({ score, label: set.y[i] as 0 | 1 })));
}

/** What F is for MAS: every output of the model (the recipe; for the detector, both heads), or the logit alone. */
export type ImportanceOutputs = 'logit' | 'all';
export const IMPORTANCE_OUTPUTS: readonly ImportanceOutputs[] = ['logit', 'all'];

/**
 * Ω as the recipe measures it: MAS of every output together (for the detector, the logit and the blend-boundary
 * map, so the trunk stages that feed the map count too; `outputs: 'logit'` takes output 0 alone), per sample by
 * default (`batchSize` > 1 is the authors' per-batch variant), scaled to mean 1 (`normaliseImportance`) so that
 * λ does not depend on the scale of the model's outputs.
 */
export function measureImportance(
  model: tf.LayersModel,
  inputs: tf.Tensor,
  batchSize = 1,
  outputs: ImportanceOutputs = DEFAULT_CONTINUAL.importanceOutputs,
): Importance {
  const outputIndex = outputs === 'logit' ? 0 : undefined;
  return scaledToMeanOne(masImportance(model, inputs, { outputIndex, batchSize }));
}

/** The local (Hebbian) Ω on the same inputs, scaled to mean 1 like `measureImportance`'s so λ means the same. */
export function measureHebbianImportance(model: tf.LayersModel, inputs: tf.Tensor): Importance {
  return scaledToMeanOne(hebbianImportance(model, inputs));
}

/** `raw` scaled to mean 1 (`normaliseImportance`); `raw` itself is disposed. */
function scaledToMeanOne(raw: Importance): Importance {
  try {
    return normaliseImportance(raw);
  } finally {
    disposeImportance(raw);
  }
}

/**
 * Measures Ω on `importanceInputs` (old-task data, unlabelled; `measureImportance`), adds it to `previous`,
 * then trains on `task` with loss = BCE(logit) + λ Σ Ω (θ − θ*)². λ = 0 is plain fine-tuning. With
 * `options.validation`, stops early and keeps the weights of the best validation AUC. Returns the anchor to
 * keep for the next task.
 */
export async function learnWithMas(
  model: tf.LayersModel,
  task: LabelledSet,
  /** Old-task inputs to measure Ω on (`measureImportance`), or an Ω already measured (e.g. the Hebbian variant). */
  importanceSource: tf.Tensor | Importance,
  previous: MasAnchor | undefined,
  config: ContinualConfig = DEFAULT_CONTINUAL,
  options: ContinualOptions = {},
): Promise<ContinualResult> {
  const { onProgress = () => undefined, validation, onEvaluate } = options;
  if (!Number.isFinite(config.lambda) || config.lambda < 0)
    throw new Error(`MAS λ must be a finite number ≥ 0, got ${config.lambda}`);
  const measured =
    importanceSource instanceof Map
      ? importanceSource
      : measureImportance(model, importanceSource, 1, config.importanceOutputs);
  const importance = accumulateImportance(previous?.importance, measured);
  if (importance !== measured && !(importanceSource instanceof Map))
    for (const t of measured.values()) t.dispose();
  const anchor: MasAnchor = { importance, anchors: anchorWeights(model) };
  const optimizer = tf.train.adam(config.learningRate);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const random = createRandom(config.seed);
  const n = task.y.length;
  const labels = tf.tensor2d(task.y, [n, 1]);
  const history: ContinualResult['history'] = [];
  let best: { step: number; auc: number; weights: tf.Tensor[] } | undefined;
  let stepsDone = 0;
  const evaluate = async (step: number): Promise<boolean> => {
    const auc = await logitAuc(model, validation!);
    history.push({ step, validationAuc: auc });
    await onEvaluate?.(step, auc);
    if (!best || auc > best.auc) {
      if (best) tf.dispose(best.weights);
      best = { step, auc, weights: variables.map((v) => tf.clone(v)) };
    }
    return history.length - 1 - history.findIndex((h) => h.step === best!.step) >= config.patience;
  };
  try {
    if (validation) await evaluate(0);
    for (let step = 0; step < config.steps; step++) {
      const indices = Array.from({ length: Math.min(config.batchSize, n) }, () => random.int(0, n - 1));
      const loss = tf.tidy(() => {
        const idx = tf.tensor1d(indices, 'int32');
        const x = tf.gather(task.x, idx);
        const y = tf.gather(labels, idx);
        return optimizer.minimize(
          () =>
            tf.add(
              tf.losses.sigmoidCrossEntropy(y, logitOf(model, x).reshape([-1, 1])),
              config.lambda > 0 ? masPenalty(model, anchor, config.lambda) : tf.scalar(0),
            ) as tf.Scalar,
          true,
          variables,
        )!;
      });
      const value = (await loss.data())[0]!;
      loss.dispose();
      stepsDone = step + 1;
      onProgress({ stage: 'learn', done: step + 1, total: config.steps, detail: `loss ${value.toFixed(3)}` });
      const due = stepsDone % config.evalEvery === 0 || stepsDone === config.steps;
      if (validation && due && (await evaluate(stepsDone))) break;
    }
    if (best) variables.forEach((v, i) => v.assign(best!.weights[i]!));
  } finally {
    labels.dispose();
    optimizer.dispose();
    if (best) tf.dispose(best.weights);
  }
  return { ...anchor, steps: stepsDone, bestStep: best?.step ?? stepsDone, history };
}
