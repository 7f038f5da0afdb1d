/**
 * Worker of data-parallel.ts: loads the shared parameters, writes its shard's weighted gradient, meets the other
 * workers at a barrier, then sums the gradient slots over its own slice of the parameters (in slot order) and
 * applies the optimizer to that slice (or leaves the sum for the owner's optimizer).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { initTensorflow, tf } from '../runtime/tensorflow.ts';
import type { DataParallelInit, DataParallelModule, ShardRequest, ShardResult } from './data-parallel.ts';

const init = workerData as DataParallelInit;
const port = parentPort!;
const { slot, workers, paramCount } = init;

const params = new Float32Array(init.params);
const slots = new Float32Array(init.grads);
const mine = slots.subarray(slot * paramCount, (slot + 1) * paramCount);
const reduced = new Float32Array(init.reduced);
const moments = new Float32Array(init.moments);
/** [0] workers arrived at the barrier, [1] barrier generation, [2] a worker failed this step. */
const control = new Int32Array(init.control);

// This worker's slice of the parameters: [lo, hi).
const lo = Math.floor((slot * paramCount) / workers);
const hi = Math.floor(((slot + 1) * paramCount) / workers);

/** Blocks until every worker has called it (a generation barrier; the last to arrive wakes the others). */
function barrier(): void {
  const generation = Atomics.load(control, 1);
  if (Atomics.add(control, 0, 1) === workers - 1) {
    Atomics.store(control, 0, 0);
    Atomics.add(control, 1, 1);
    Atomics.notify(control, 1);
  } else {
    while (Atomics.load(control, 1) === generation) Atomics.wait(control, 1, generation);
  }
}

/** Sums the slots for [lo, hi) in slot order and updates the parameters there. */
function reduceAndUpdate(iteration: number): void {
  const optimizer = init.optimizer;
  const sum = (i: number) => {
    let g = slots[i]!;
    for (let s = 1; s < workers; s++) g += slots[s * paramCount + i]!;
    return Math.fround(g);
  };
  if (!optimizer) {
    for (let i = lo; i < hi; i++) reduced[i] = sum(i);
  } else if (optimizer.kind === 'sgd') {
    const lr = optimizer.learningRate;
    for (let i = lo; i < hi; i++) params[i] = params[i]! - lr * sum(i);
  } else {
    // tfjs's AdamOptimizer, element by element: m̂ = m / (1 − β₁ᵗ), v̂ = v / (1 − β₂ᵗ), θ −= lr · m̂ / (√v̂ + ε).
    const { learningRate: lr, beta1, beta2, epsilon } = optimizer;
    const c1 = 1 - beta1 ** iteration;
    const c2 = 1 - beta2 ** iteration;
    for (let i = lo; i < hi; i++) {
      const g = sum(i);
      const m = beta1 * moments[i]! + (1 - beta1) * g;
      const v = beta2 * moments[paramCount + i]! + (1 - beta2) * g * g;
      moments[i] = m;
      moments[paramCount + i] = v;
      params[i] = params[i]! - (lr * (m / c1)) / (Math.sqrt(v / c2) + epsilon);
    }
  }
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

try {
  await initTensorflow();
  const module = (await import(init.moduleUrl)) as DataParallelModule;
  const trainer = await module.createShardTrainer(init.config);
  const { variables } = trainer;
  const size = variables.reduce((n, v) => n + v.size, 0);
  if (size !== paramCount) {
    throw new Error(`the worker's model has ${size} parameters, the owner's ${paramCount}`);
  }
  port.postMessage({ slot, loss: 0, parts: {}, ready: true } satisfies ShardResult);

  port.on('message', (request: ShardRequest) => {
    let result: ShardResult = { slot, loss: Number.NaN, parts: {} };
    try {
      // Load the current parameters.
      let offset = 0;
      for (const variable of variables) {
        tf.tidy(() =>
          variable.assign(tf.tensor(params.subarray(offset, offset + variable.size), variable.shape)),
        );
        offset += variable.size;
      }
      result = tf.tidy(() => {
        const batch: Record<string, tf.Tensor> = {};
        for (const [name, t] of Object.entries(request.batch)) batch[name] = tf.tensor(t.data, t.shape);
        let parts: Record<string, tf.Scalar> = {};
        const { value, grads } = tf.variableGrads(() => {
          const out = trainer.loss(batch);
          parts = out.parts ?? {};
          for (const p of Object.values(parts)) tf.keep(p);
          return out.loss;
        }, variables);
        let at = 0;
        for (const variable of variables) {
          mine.set(grads[variable.name]!.mul(request.weight).dataSync() as Float32Array, at);
          at += variable.size;
        }
        const weighted: Record<string, number> = {};
        for (const [k, p] of Object.entries(parts)) weighted[k] = p.dataSync()[0]! * request.weight;
        tf.dispose(Object.values(parts));
        return { slot, loss: value.dataSync()[0]! * request.weight, parts: weighted };
      });
    } catch (error) {
      Atomics.store(control, 2, 1);
      result = { slot, loss: Number.NaN, parts: {}, error: message(error) };
    }
    // Every worker reaches the barrier, failed or not, so that none waits forever.
    barrier();
    if (Atomics.load(control, 2) === 0) reduceAndUpdate(request.iteration);
    else if (!result.error) result = { ...result, error: 'another worker failed this step' };
    // Nobody reads the flag again before the next step's barrier; the owner stops after a failure anyway.
    port.postMessage(result);
  });
} catch (error) {
  port.postMessage({ slot, loss: Number.NaN, parts: {}, error: message(error) } satisfies ShardResult);
}
