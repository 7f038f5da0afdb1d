/**
 * Synchronous data-parallel training on worker threads. Node's wasm backend runs on one thread, so each
 * worker gets its own TensorFlow.js instance and computes the gradient of its shard of every batch. Then the
 * workers — not the owner — finish the step together:
 *
 *   1. worker k writes its shard's mean gradient g_k into its gradient slot, then waits at a barrier
 *      (Atomics.wait on shared memory) until every worker has written its slot;
 *   2. worker k sums w_k · g_k over the slots for its own contiguous slice of the parameters, always in slot
 *      order 0, 1, …, so results are bit-for-bit reproducible and do not depend on which worker finished first;
 *   3. worker k applies the optimizer to that slice: Adam and SGD run in the workers, on state kept in shared
 *      memory (ZeRO-1 style sharding). Any other tfjs optimizer is applied by the owner to the summed gradient.
 *
 * A shard plan says which rows of each input worker k gets and its weight w_k. The default (`evenShards`) cuts
 * every input into equal row ranges weighted by their share of the batch; the swap trainer gives each identity
 * its own workers instead (`identityShards` in engine/swap/train-swap.ts), so no worker runs both decoders.
 *
 * The owner copies each global batch once into a shared input buffer, posts every worker a small descriptor
 * (which rows are its shard) on its own channel and wakes them all with one Atomics.notify; the workers block in
 * Atomics.wait between steps, so no event loop stands between the owner's signal and the work. The owner then
 * collects the losses; its copy of the variables and of the optimizer's state is brought up to date by `sync()`,
 * e.g. before a checkpoint.
 *
 * Shared memory (Float32Array views over SharedArrayBuffers):
 *   input:    the global batch, tensor after tensor (grown when a larger batch arrives);
 *   params:   all trainable weights, concatenated in variable order;
 *   grads:    one params-sized slot per worker (the shard's mean gradient);
 *   reduced:  the summed gradient (only for optimizers the owner applies);
 *   moments:  Adam's first and second moments, params-sized each;
 *   control:  Int32 cells, see CONTROL.
 *
 * Across machines the same design maps onto an all-reduce (e.g. a Horovod/NCCL-style ring, which is exactly
 * steps 1–2 with the slices passed around the ring, or a parameter server): see docs/architecture.md.
 */
import { MessageChannel, type MessagePort, type Worker } from 'node:worker_threads';
import { tf } from '../runtime/tensorflow.ts';
import { setOptimizerLearningRate } from './learning-rate.ts';
import type { ShardedOptimizer } from './sharded-update.ts';
import { startTsWorker } from '../util/ts-worker.ts';

/** A batch tensor as plain data: dimension 0 is the sample axis that shards split. */
export interface HostTensor {
  data: Float32Array;
  shape: number[];
}

export type HostBatch = Record<string, HostTensor>;

/** What a worker module builds: the trainable variables (in the owner's order) and the loss of a batch. */
export interface ShardTrainer {
  variables: tf.Variable[];
  /** The mean loss over the batch, plus optional named parts (means too) that are reported with it. */
  loss(batch: Record<string, tf.Tensor>): { loss: tf.Scalar; parts?: Record<string, tf.Scalar> };
}

/** A module the workers import: `createShardTrainer(config)` with the config the owner was given. */
export interface DataParallelModule {
  createShardTrainer(config: unknown): ShardTrainer | Promise<ShardTrainer>;
}

/** Cells of the shared Int32 control array. */
export const CONTROL = {
  /** Workers arrived at the barrier. */
  arrived: 0,
  /** The barrier's generation. */
  generation: 1,
  /** A worker failed this step. */
  failed: 2,
  /** Bumped by the owner to start a step (workers wait on it). */
  go: 3,
  /** Set by the owner to end the workers' loops. */
  stop: 4,
  size: 5,
} as const;

export interface DataParallelInit {
  moduleUrl: string;
  config: unknown;
  slot: number;
  workers: number;
  paramCount: number;
  params: SharedArrayBuffer;
  grads: SharedArrayBuffer;
  reduced: SharedArrayBuffer;
  moments: SharedArrayBuffer;
  control: SharedArrayBuffer;
  optimizer: ShardedOptimizer | undefined;
  /** The owner's step descriptors arrive here; the worker reads them synchronously after each wake-up. */
  steps: MessagePort;
}

/** Where one tensor of the global batch lies in the shared input buffer (offset in floats). */
export interface InputLayout {
  name: string;
  offset: number;
  shape: number[];
}

/** Rows [start, end) of one input. */
export interface RowRange {
  start: number;
  end: number;
}

/**
 * One worker's part of a step: its rows of each input (an input left out gives it none) and the weight of its
 * shard's mean loss in the step's loss, so that Σ weight · (the shard's mean gradient) is the global gradient.
 */
export interface Shard {
  rows: Record<string, RowRange>;
  weight: number;
}

/** How a step's batch is split over the workers: one Shard per worker, in slot order. */
export type ShardPlan = (inputs: InputLayout[], workers: number) => Shard[];

/** The default plan: every input cut into the same equal row ranges, each weighted by its share of the rows. */
export const evenShards: ShardPlan = (inputs, workers) => {
  const n = inputs[0]!.shape[0]!;
  const size = Math.ceil(n / workers);
  return Array.from({ length: workers }, (_, slot) => {
    const start = Math.min(n, slot * size);
    const end = Math.min(n, start + size);
    return {
      rows: Object.fromEntries(inputs.map(({ name }) => [name, { start, end }])),
      weight: n ? (end - start) / n : 0,
    };
  });
};

/** Throws unless `shards` gives every worker rows inside the batch and a finite, non-negative weight. */
function checkShards(shards: Shard[], inputs: InputLayout[], workers: number): void {
  if (shards.length !== workers) {
    throw new RangeError(`the shard plan gave ${shards.length} shards for ${workers} workers`);
  }
  const rowsOf = new Map(inputs.map(({ name, shape }) => [name, shape[0]!]));
  for (const [slot, shard] of shards.entries()) {
    if (!(Number.isFinite(shard.weight) && shard.weight >= 0)) {
      throw new RangeError(`shard ${slot} has weight ${shard.weight}`);
    }
    for (const [name, { start, end }] of Object.entries(shard.rows)) {
      const n = rowsOf.get(name);
      if (n === undefined) throw new RangeError(`shard ${slot} names an unknown input '${name}'`);
      if (!(Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start <= end && end <= n)) {
        throw new RangeError(`shard ${slot} has rows [${start}, ${end}) of '${name}', which has ${n}`);
      }
    }
  }
}

/** What a worker needs for one step, beside the shared memory. */
export interface StepDescriptor {
  /** The optimizer step this update will be (1 for the first), for Adam's bias correction. */
  iteration: number;
  inputs: InputLayout[];
  /** This worker's rows of each input (see Shard). */
  rows: Record<string, RowRange>;
  /** Every slot's shard weight: the reduction sums the slots' mean gradients times these. */
  weights: number[];
  /** sharedClock() when the owner signalled the step. */
  sentAt: number;
  /** A new (larger) input buffer, when the batch outgrew the previous one. */
  input?: SharedArrayBuffer;
  /** This step's learning rate (a schedule's value), overriding the optimizer's own. */
  learningRate?: number;
}

/** Milliseconds one worker spent on each part of a step. */
export interface ShardTimings {
  /** From the owner's signal to this worker starting the step. */
  wake: number;
  /** Copying the shared parameters into its variables. */
  load: number;
  /** Forward and backward pass on its shard, gradient written to its slot. */
  compute: number;
  /** Waiting at the barrier for the other workers. */
  barrier: number;
  /** Summing its slice of the gradient slots and applying the optimizer there. */
  reduce: number;
}

export interface ShardResult {
  slot: number;
  loss: number;
  parts: Record<string, number>;
  error?: string;
  ready?: boolean;
  timings?: ShardTimings;
  /** performance.timeOrigin + performance.now() when the worker finished the step. */
  finishedAt?: number;
}

export interface StepResult {
  /** The global batch's mean loss. */
  loss: number;
  parts: Record<string, number>;
  /** Where the step's time went: per worker, plus the owner's copy of the batch and the wait for the results. */
  timings: { copy: number; collect: number; workers: ShardTimings[] };
}

export interface DataParallelOptions {
  /** The module the workers import (see DataParallelModule). */
  moduleUrl: URL;
  /** Passed to the module's createShardTrainer (structured-cloned). */
  config?: unknown;
  workers: number;
  /** The owner's variables, in the order the module's ShardTrainer lists its own; their values start the run. */
  variables: tf.Variable[];
  /** Its state (e.g. Adam's moments after a resume) carries over, and `sync()` writes it back. */
  optimizer: tf.Optimizer;
  /** How each step's batch is split (default `evenShards`). */
  planShards?: ShardPlan;
}

export interface DataParallelTrainer {
  /**
   * One synchronous step over the global batch. The batch is posted before this returns its promise.
   * `learningRate` sets this step's rate (for schedules); without it the optimizer's own rate is used.
   */
  step(batch: HostBatch, options?: { learningRate?: number }): Promise<StepResult>;
  /** Copies the shared parameters (and the optimizer's state) into the owner's variables and optimizer. */
  sync(): Promise<void>;
  close(): Promise<void>;
}

/** A tensor's values as a HostTensor (a copy). */
export function hostTensor(t: tf.Tensor): HostTensor {
  return { data: Float32Array.from(t.dataSync()), shape: t.shape.slice() };
}

/** Where each tensor of `batch` goes in the shared input buffer, its row count, and the floats in all. */
export function inputLayout(batch: HostBatch): { inputs: InputLayout[]; rows: number; floats: number } {
  const entries = Object.entries(batch);
  if (entries.length === 0) throw new RangeError('a data-parallel batch needs at least one tensor');
  const rows = entries[0]![1].shape[0]!;
  let floats = 0;
  const inputs = entries.map(([name, t]) => {
    const size = t.shape.reduce((n, d) => n * d, 1);
    if (t.data.length !== size) {
      throw new RangeError(
        `batch tensor '${name}' has ${t.data.length} values for shape [${t.shape.join(', ')}]`,
      );
    }
    if (t.shape[0] !== rows) {
      throw new RangeError(`batch tensor '${name}' has ${t.shape[0]} rows, '${entries[0]![0]}' has ${rows}`);
    }
    const layout = { name, offset: floats, shape: t.shape.slice() };
    floats += size;
    return layout;
  });
  return { inputs, rows, floats };
}

/** Wall-clock milliseconds comparable across threads (each thread's performance.now() has its own origin). */
export const sharedClock = (): number => performance.timeOrigin + performance.now();

function shardedOptimizer(optimizer: tf.Optimizer): ShardedOptimizer | undefined {
  const config = optimizer.getConfig() as Record<string, number>;
  if (optimizer.getClassName() === 'Adam') {
    return {
      kind: 'adam',
      learningRate: config['learningRate']!,
      beta1: config['beta1']!,
      beta2: config['beta2']!,
      epsilon: config['epsilon']!,
    };
  }
  if (optimizer.getClassName() === 'SGD') return { kind: 'sgd', learningRate: config['learningRate']! };
  return undefined;
}

/**
 * Adam's first and second moments into `moments` (m then v, each in variable order) from the optimizer's state;
 * returns its iteration count. tfjs keeps the moments in the order the variables were first given to it, which
 * is `variables`' order (names can differ: a reloaded model's variables get fresh ones). No state: zeros.
 */
async function readAdamState(
  optimizer: tf.Optimizer,
  variables: tf.Variable[],
  moments: Float32Array,
  paramCount: number,
): Promise<number> {
  const weights = await optimizer.getWeights();
  const iterations = weights.length ? (await weights[0]!.tensor.data())[0]! : 0;
  for (const { tensor } of weights) if (!(tensor instanceof tf.Variable)) tensor.dispose();
  const slots = weights.slice(1);
  if (slots.length === 0) return iterations;
  if (slots.length !== 2 * variables.length || variables.some((v, k) => slots[k]!.tensor.size !== v.size)) {
    throw new Error("the optimizer's state does not match the model's variables");
  }
  let offset = 0;
  variables.forEach((variable, k) => {
    moments.set(slots[k]!.tensor.dataSync(), offset);
    moments.set(slots[variables.length + k]!.tensor.dataSync(), paramCount + offset);
    offset += variable.size;
  });
  return iterations;
}

export async function createDataParallelTrainer(options: DataParallelOptions): Promise<DataParallelTrainer> {
  const { moduleUrl, config, workers: workerCount, variables, optimizer, planShards = evenShards } = options;
  if (!(Number.isInteger(workerCount) && workerCount >= 1))
    throw new RangeError(`data-parallel training needs a whole number of workers ≥ 1, got ${workerCount}`);
  const paramCount = variables.reduce((n, v) => n + v.size, 0);
  const params = new SharedArrayBuffer(paramCount * 4);
  const grads = new SharedArrayBuffer(paramCount * 4 * workerCount);
  const sharded = shardedOptimizer(optimizer);
  const reduced = new SharedArrayBuffer(sharded ? 4 : paramCount * 4);
  const moments = new SharedArrayBuffer(sharded?.kind === 'adam' ? paramCount * 8 : 4);
  const control = new SharedArrayBuffer(CONTROL.size * 4);
  const controlView = new Int32Array(control);
  let inputView = new Float32Array(new SharedArrayBuffer(4));
  const paramView = new Float32Array(params);
  const reducedView = new Float32Array(reduced);
  const momentView = new Float32Array(moments);

  const publish = () => {
    let offset = 0;
    for (const variable of variables) {
      paramView.set(variable.dataSync() as Float32Array, offset);
      offset += variable.size;
    }
  };
  publish();
  let iterations =
    sharded?.kind === 'adam'
      ? await readAdamState(optimizer, variables, momentView, paramCount)
      : optimizer.iterations;

  const workers: Worker[] = [];
  const channels: MessagePort[] = [];
  const waiting = new Map<number, (result: ShardResult) => void>();
  const failures: string[] = [];
  for (let slot = 0; slot < workerCount; slot++) {
    const channel = new MessageChannel();
    const init: DataParallelInit = {
      moduleUrl: moduleUrl.href,
      config,
      slot,
      workers: workerCount,
      paramCount,
      params,
      grads,
      reduced,
      moments,
      control,
      optimizer: sharded,
      steps: channel.port2,
    };
    const worker = startTsWorker(new URL('./data-parallel-worker.ts', import.meta.url), {
      workerData: init,
      transferList: [channel.port2],
    });
    channels.push(channel.port1);
    worker.on('message', (message: ShardResult) => waiting.get(message.slot)?.(message));
    worker.on('error', (error) => {
      failures.push(error.message);
      waiting.get(slot)?.({ slot, loss: Number.NaN, parts: {}, error: error.message });
    });
    workers.push(worker);
  }
  const collect = (slot: number) =>
    new Promise<ShardResult>((resolve) => {
      if (failures.length) resolve({ slot, loss: Number.NaN, parts: {}, error: failures[0] });
      else waiting.set(slot, resolve);
    });
  const stopWorkers = () => {
    Atomics.store(controlView, CONTROL.stop, 1);
    Atomics.add(controlView, CONTROL.go, 1);
    Atomics.notify(controlView, CONTROL.go);
  };
  // Wait until every worker has built its variables.
  const ready = await Promise.all(workers.map((_, slot) => collect(slot)));
  const notReady = ready.find((r) => r.error);
  if (notReady) {
    stopWorkers();
    await Promise.all(workers.map((w) => w.terminate()));
    throw new Error(`data-parallel worker failed to start: ${notReady.error}`);
  }

  let ownerDirty = false;
  let inFlight = false;
  return {
    step: async (batch, options = {}) => {
      if (inFlight) throw new Error('data-parallel step() called before the previous step finished');
      const { inputs, floats } = inputLayout(batch);
      const shards = planShards(inputs, workerCount);
      checkShards(shards, inputs, workerCount);
      const started = performance.now();
      let grown: SharedArrayBuffer | undefined;
      if (floats > inputView.length) {
        grown = new SharedArrayBuffer(floats * 4);
        inputView = new Float32Array(grown);
      }
      for (const layout of inputs) inputView.set(batch[layout.name]!.data, layout.offset);
      const weights = shards.map((shard) => shard.weight);
      iterations++;
      const results = Promise.all(workers.map((_, slot) => collect(slot)));
      const sentAt = sharedClock();
      channels.forEach((channel, slot) => {
        const descriptor: StepDescriptor = {
          iteration: iterations,
          inputs,
          rows: shards[slot]!.rows,
          weights,
          sentAt,
        };
        if (grown) descriptor.input = grown;
        if (options.learningRate !== undefined) descriptor.learningRate = options.learningRate;
        channel.postMessage(descriptor);
      });
      const copied = performance.now();
      // Every worker is waiting for `go` now, so a failure of an earlier step can be forgotten.
      Atomics.store(controlView, CONTROL.failed, 0);
      Atomics.add(controlView, CONTROL.go, 1);
      Atomics.notify(controlView, CONTROL.go);
      inFlight = true;
      const shardResults = await results.finally(() => {
        inFlight = false;
      });
      const collected = sharedClock();
      const failed = shardResults.find((r) => r.error);
      if (failed) throw new Error(`data-parallel worker failed: ${failed.error}`);
      if (!sharded) {
        // The workers left the summed gradient in `reduced`; the owner's optimizer applies it.
        const named: tf.NamedTensorMap = {};
        let offset = 0;
        for (const variable of variables) {
          named[variable.name] = tf.tensor(
            reducedView.subarray(offset, offset + variable.size),
            variable.shape,
          );
          offset += variable.size;
        }
        if (options.learningRate !== undefined) setOptimizerLearningRate(optimizer, options.learningRate);
        optimizer.applyGradients(named);
        tf.dispose(Object.values(named));
        publish();
      } else ownerDirty = true;
      const parts: Record<string, number> = {};
      for (const r of shardResults)
        for (const [k, v] of Object.entries(r.parts)) parts[k] = (parts[k] ?? 0) + v;
      const finished = Math.max(...shardResults.map((r) => r.finishedAt ?? collected));
      return {
        loss: shardResults.reduce((sum, r) => sum + r.loss, 0),
        parts,
        timings: {
          copy: copied - started,
          collect: collected - finished,
          workers: shardResults.map((r) => r.timings!),
        },
      };
    },
    sync: async () => {
      if (!ownerDirty) return;
      let offset = 0;
      for (const variable of variables) {
        tf.tidy(() =>
          variable.assign(tf.tensor(paramView.subarray(offset, offset + variable.size), variable.shape)),
        );
        offset += variable.size;
      }
      if (sharded?.kind === 'adam') {
        // Replace the optimizer's state with the workers' (setWeights makes new variables: free the old ones).
        const old = await optimizer.getWeights();
        const named: Array<{ name: string; tensor: tf.Tensor }> = [
          { name: 'iter', tensor: tf.scalar(iterations, 'int32') },
        ];
        for (const [which, base] of [
          ['m', 0],
          ['v', paramCount],
        ] as const) {
          let at = base;
          for (const variable of variables) {
            named.push({
              name: `${variable.name}/${which}`,
              tensor: tf.tensor(momentView.subarray(at, at + variable.size), variable.shape),
            });
            at += variable.size;
          }
        }
        await optimizer.setWeights(named);
        tf.dispose(named.map((w) => w.tensor));
        tf.dispose(old.map((w) => w.tensor));
      }
      // (SGD keeps no state to sync.)
      ownerDirty = false;
    },
    close: async () => {
      stopWorkers();
      await Promise.all(workers.map((w) => w.terminate()));
      for (const channel of channels) channel.close();
    },
  };
}
