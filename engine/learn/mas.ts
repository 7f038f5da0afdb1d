/**
 * Memory Aware Synapses (Aljundi et al., ECCV 2018): after a task, each parameter's importance is
 *   Ω_i = mean over samples of |∂ ‖F(x)‖²₂ / ∂θ_i|
 * — how much the network's output moves when θ_i moves, measured on unlabelled data. While learning the next
 * task, changes to important parameters are penalised: L = L_new + λ Σ Ω_i (θ_i − θ*_i)².
 * Importances add up over tasks. Pure tensor maths; saving lives in mas-io.ts.
 */
import * as tf from '@tensorflow/tfjs';

/** Importance per trainable weight, keyed by the weight's name in the model. */
export type Importance = Map<string, tf.Tensor>;

export interface MasAnchor {
  importance: Importance;
  /** θ* — the weights after the previous task(s). */
  anchors: Map<string, tf.Tensor>;
}

function trainableVariables(model: tf.LayersModel): Map<string, tf.Variable> {
  return new Map(model.trainableWeights.map((w) => [w.name, w.read() as tf.Variable]));
}

export interface MasImportanceOptions {
  /** Which model output is F (default: all outputs, their squared norms summed). */
  outputIndex?: number;
  /**
   * Samples per gradient. 1 (default) is the paper's definition, the mean of per-sample |∂‖F(x)‖²/∂θ|; the
   * authors' released code takes |∂ Σ_batch ‖F(x)‖² / ∂θ| per mini-batch instead (signs cancel inside a batch),
   * divided by the number of samples.
   */
  batchSize?: number;
}

/** Ω from `samples` (N×...): mean over samples (or mini-batches, see `batchSize`) of |∂ ‖F(x)‖²₂ / ∂θ|. */
export function masImportance(
  model: tf.LayersModel,
  samples: tf.Tensor,
  options: MasImportanceOptions = {},
): Importance {
  const { outputIndex, batchSize = 1 } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new Error(`MAS importance batch size must be a positive integer, got ${batchSize}`);
  const variables = trainableVariables(model);
  const names = [...variables.keys()];
  const sums = new Map(names.map((name) => [name, tf.zerosLike(variables.get(name)!)]));
  const count = samples.shape[0]!;
  for (let start = 0; start < count; start += batchSize) {
    tf.tidy(() => {
      const x = samples.slice(start, Math.min(batchSize, count - start));
      const { grads } = tf.variableGrads(() => {
        const raw = model.apply(x, { training: false }) as tf.Tensor | tf.Tensor[];
        const outputs = Array.isArray(raw) ? (outputIndex === undefined ? raw : [raw[outputIndex]!]) : [raw];
        return tf.addN(outputs.map((o) => tf.sum(tf.square(o)))) as tf.Scalar;
      }, [...variables.values()]);
      for (const name of names) {
        const variable = variables.get(name)!;
        const gradient = grads[variable.name];
        if (!gradient) continue;
        const previous = sums.get(name)!;
        sums.set(name, tf.keep(tf.add(previous, tf.abs(gradient))));
        previous.dispose();
      }
    });
  }
  const importance: Importance = new Map();
  for (const [name, sum] of sums) {
    importance.set(
      name,
      tf.tidy(() => tf.div(sum, count)),
    );
    sum.dispose();
  }
  return importance;
}

/** Ω after another task: the running sum of the tasks' importances (Aljundi et al., §4). */
export function accumulateImportance(previous: Importance | undefined, next: Importance): Importance {
  if (!previous) return next;
  const merged: Importance = new Map();
  for (const [name, value] of next) {
    const old = previous.get(name);
    if (old && !tf.util.arraysEqual(old.shape, value.shape))
      throw new Error(`importance for ${name} has shape ${old.shape}, weights have ${value.shape}`);
    merged.set(name, old ? tf.add(old, value) : tf.clone(value));
  }
  return merged;
}

/** Snapshot of the current weights, the θ* of the penalty. */
export function anchorWeights(model: tf.LayersModel): Map<string, tf.Tensor> {
  return new Map(model.trainableWeights.map((w) => [w.name, tf.clone(w.read())]));
}

/**
 * Ω scaled to mean 1 over all parameters, so one λ means the same for importances measured in different ways
 * (MAS on logits or on all outputs, Hebbian) and for models whose outputs have different scales.
 */
export function normaliseImportance(importance: Importance): Importance {
  const values = [...importance.values()];
  const total = tf.tidy(() => tf.addN(values.map((t) => tf.sum(t))).dataSync()[0]!);
  const count = values.reduce((s, t) => s + t.size, 0);
  if (!(total > 0)) throw new Error('importance is zero everywhere; it cannot be normalised');
  return new Map([...importance].map(([k, t]) => [k, tf.tidy(() => tf.mul(t, count / total))]));
}

/**
 * The same importance keyed by the weights of another instance of the model: tfjs gives a reloaded model's
 * variables new names, so weights are matched by position (the order of `trainableWeights`) and shape.
 */
export function importanceForModel(importance: Importance, model: tf.LayersModel): Importance {
  const values = [...importance.values()];
  const weights = model.trainableWeights;
  if (values.length !== weights.length)
    throw new Error(`importance has ${values.length} weights, the model ${weights.length}`);
  return new Map(
    weights.map((weight, i) => {
      if (!tf.util.arraysEqual(values[i]!.shape, weight.shape as number[]))
        throw new Error(
          `importance ${i} has shape [${values[i]!.shape}], ${weight.name} has [${weight.shape}]`,
        );
      return [weight.name, values[i]!];
    }),
  );
}

/** λ Σ Ω (θ − θ*)², differentiable in the model's weights. Every trainable weight needs an Ω and a θ*. */
export function masPenalty(model: tf.LayersModel, anchor: MasAnchor, lambda: number): tf.Scalar {
  if (!Number.isFinite(lambda) || lambda < 0)
    throw new Error(`MAS λ must be a finite number ≥ 0, got ${lambda}`);
  return tf.tidy(() => {
    const terms: tf.Tensor[] = [];
    for (const weight of model.trainableWeights) {
      const omega = anchor.importance.get(weight.name);
      const theta = anchor.anchors.get(weight.name);
      if (!omega || !theta)
        throw new Error(`no importance or anchor for weight ${weight.name}: Ω was measured on another model`);
      if (!tf.util.arraysEqual(omega.shape, weight.shape as number[])) {
        throw new Error(
          `importance for ${weight.name} has shape [${omega.shape}], the weight has [${weight.shape}]`,
        );
      }
      terms.push(tf.sum(tf.mul(omega, tf.square(tf.sub(weight.read(), theta)))));
    }
    return (terms.length ? tf.mul(tf.addN(terms), lambda) : tf.scalar(0)) as tf.Scalar;
  });
}

export function disposeImportance(importance: Importance | Map<string, tf.Tensor>): void {
  for (const t of importance.values()) t.dispose();
  importance.clear();
}
