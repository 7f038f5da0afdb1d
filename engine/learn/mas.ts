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

/** Ω from `samples` (N×...), one sample at a time, using the model output `outputIndex` (or all outputs). */
export function masImportance(model: tf.LayersModel, samples: tf.Tensor, outputIndex?: number): Importance {
  const variables = trainableVariables(model);
  const names = [...variables.keys()];
  const sums = new Map(names.map((name) => [name, tf.zerosLike(variables.get(name)!)]));
  const count = samples.shape[0]!;
  for (let i = 0; i < count; i++) {
    tf.tidy(() => {
      const x = samples.slice(i, 1);
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

/** λ Σ Ω (θ − θ*)², differentiable in the model's weights. Weights without an importance are free. */
export function masPenalty(model: tf.LayersModel, anchor: MasAnchor, lambda: number): tf.Scalar {
  if (!Number.isFinite(lambda) || lambda < 0)
    throw new Error(`MAS λ must be a finite number ≥ 0, got ${lambda}`);
  return tf.tidy(() => {
    const terms: tf.Tensor[] = [];
    for (const weight of model.trainableWeights) {
      const omega = anchor.importance.get(weight.name);
      const theta = anchor.anchors.get(weight.name);
      if (!omega || !theta) continue;
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
