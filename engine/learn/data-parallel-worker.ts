/**
 * Worker of data-parallel.ts. Between steps it blocks in Atomics.wait on the owner's `go` cell; on each wake-up
 * it reads the step's descriptor from its channel (synchronously), loads the shared parameters, writes its
 * shard's mean gradient into its slot, meets the other workers at a barrier, then sums the slots (times each
 * shard's weight, in slot order) over its own slice of the parameters and applies the optimizer to that slice
 * (or leaves the sum for the owner's optimizer). Its result goes back to the owner by message.
 */
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { copyTensorInto, initTensorflow, tf } from '../runtime/tensorflow.ts';
import {
  CONTROL,
  sharedClock,
  type DataParallelInit,
  type DataParallelModule,
  type ShardResult,
  type ShardTrainer,
  type StepDescriptor,
} from './data-parallel.ts';
import { reduceAndUpdateSlice, type SliceBuffers } from './sharded-update.ts';

const init = workerData as DataParallelInit;
const port = parentPort!;
const { slot, workers, paramCount } = init;

const params = new Float32Array(init.params);
const slots = Array.from(
  { length: workers },
  (_, s) => new Float32Array(init.grads, s * paramCount * 4, paramCount),
);
const mine = slots[slot]!;
const moments = new Float32Array(init.moments);
const buffers: SliceBuffers = {
  params,
  slots,
  reduced: new Float32Array(init.reduced),
  firstMoment: moments.subarray(0, paramCount),
  secondMoment: moments.subarray(paramCount, 2 * paramCount),
};
const control = new Int32Array(init.control);
let input = new Float32Array(new SharedArrayBuffer(0));

// This worker's slice of the parameters: [lo, hi).
const lo = Math.floor((slot * paramCount) / workers);
const hi = Math.floor(((slot + 1) * paramCount) / workers);

/** Blocks until every worker has called it (a generation barrier; the last to arrive wakes the others). */
function barrier(): void {
  const generation = Atomics.load(control, CONTROL.generation);
  if (Atomics.add(control, CONTROL.arrived, 1) === workers - 1) {
    Atomics.store(control, CONTROL.arrived, 0);
    Atomics.add(control, CONTROL.generation, 1);
    Atomics.notify(control, CONTROL.generation);
  } else {
    while (Atomics.load(control, CONTROL.generation) === generation) {
      Atomics.wait(control, CONTROL.generation, generation);
    }
  }
}

/** Copies the shared parameters into the worker's variables. */
function loadParameters(variables: readonly tf.Variable[]): void {
  let offset = 0;
  for (const variable of variables) {
    tf.tidy(() =>
      variable.assign(tf.tensor(params.subarray(offset, offset + variable.size), variable.shape)),
    );
    offset += variable.size;
  }
}

/** Writes this shard's mean gradient into its slot; returns its (unweighted) losses. */
function computeShard(
  trainer: ShardTrainer,
  step: StepDescriptor,
): { loss: number; parts: Record<string, number> } {
  const { variables } = trainer;
  const rangeOf = (name: string) => step.rows[name] ?? { start: 0, end: 0 };
  if (step.inputs.every(({ name }) => rangeOf(name).end === rangeOf(name).start)) {
    // No rows at all (e.g. more workers than samples): this slot's weight is 0.
    mine.fill(0);
    return { loss: 0, parts: {} };
  }
  return tf.tidy(() => {
    const batch: Record<string, tf.Tensor> = {};
    for (const { name, offset: at, shape } of step.inputs) {
      const { start, end } = rangeOf(name);
      const row = shape.slice(1).reduce((n, d) => n * d, 1);
      batch[name] = tf.tensor(input.subarray(at + start * row, at + end * row), [
        end - start,
        ...shape.slice(1),
      ]);
    }
    let parts: Record<string, tf.Scalar> = {};
    const { value, grads } = tf.variableGrads(() => {
      const out = trainer.loss(batch);
      parts = out.parts ?? {};
      for (const p of Object.values(parts)) tf.keep(p);
      return out.loss;
    }, variables);
    let at = 0;
    for (const variable of variables) {
      // A variable this shard's loss does not reach (e.g. the other identity's decoder) has no gradient.
      const grad = grads[variable.name];
      if (grad) copyTensorInto(mine, at, grad);
      else mine.fill(0, at, at + variable.size);
      at += variable.size;
    }
    const values: Record<string, number> = {};
    for (const [k, p] of Object.entries(parts)) values[k] = p.dataSync()[0]!;
    tf.dispose(Object.values(parts));
    return { loss: value.dataSync()[0]!, parts: values };
  });
}

function runStep(trainer: ShardTrainer, step: StepDescriptor): ShardResult {
  const t0 = sharedClock();
  if (step.input) input = new Float32Array(step.input);
  const weight = step.weights[slot]!;
  let result: ShardResult = { slot, loss: Number.NaN, parts: {} };
  let loaded = t0;
  let t1 = t0;
  try {
    loadParameters(trainer.variables);
    loaded = sharedClock();
    const shard = computeShard(trainer, step);
    t1 = sharedClock();
    const parts: Record<string, number> = {};
    for (const [k, v] of Object.entries(shard.parts)) parts[k] = v * weight;
    result = { slot, loss: shard.loss * weight, parts };
  } catch (error) {
    Atomics.store(control, CONTROL.failed, 1);
    result = { slot, loss: Number.NaN, parts: {}, error: message(error) };
    t1 = sharedClock();
  }
  // Every worker reaches the barrier, failed or not, so that none waits forever.
  barrier();
  const t2 = sharedClock();
  if (Atomics.load(control, CONTROL.failed) === 0) {
    const optimizer = init.optimizer && {
      ...init.optimizer,
      learningRate: step.learningRate ?? init.optimizer.learningRate,
    };
    reduceAndUpdateSlice(buffers, lo, hi, step.weights, optimizer, step.iteration);
  } else if (!result.error) result = { ...result, error: 'another worker failed this step' };
  const t3 = sharedClock();
  return {
    ...result,
    timings: {
      wake: t0 - step.sentAt,
      load: loaded - t0,
      compute: t1 - loaded,
      barrier: t2 - t1,
      reduce: t3 - t2,
    },
    finishedAt: t3,
  };
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

let trainer: ShardTrainer | undefined;
try {
  await initTensorflow();
  const module = (await import(init.moduleUrl)) as DataParallelModule;
  trainer = await module.createShardTrainer(init.config);
  const size = trainer.variables.reduce((n, v) => n + v.size, 0);
  if (size !== paramCount) {
    throw new Error(`the worker's model has ${size} parameters, the owner's ${paramCount}`);
  }
} catch (error) {
  trainer = undefined;
  port.postMessage({ slot, loss: Number.NaN, parts: {}, error: message(error) } satisfies ShardResult);
}

if (trainer) {
  let seen = Atomics.load(control, CONTROL.go);
  port.postMessage({ slot, loss: 0, parts: {}, ready: true } satisfies ShardResult);
  for (;;) {
    Atomics.wait(control, CONTROL.go, seen);
    seen = Atomics.load(control, CONTROL.go);
    if (Atomics.load(control, CONTROL.stop)) break;
    const received = receiveMessageOnPort(init.steps);
    if (received) port.postMessage(runStep(trainer, received.message as StepDescriptor));
    else
      port.postMessage({
        slot,
        loss: Number.NaN,
        parts: {},
        error: 'woken without a step',
      } satisfies ShardResult);
  }
}
