/**
 * Synchronous data-parallel training on worker threads. Node's wasm backend runs on one thread, so each
 * worker gets its own TensorFlow.js instance and computes gradients on its shard of every batch; the owner
 * (this thread) sums the shard gradients in a fixed worker order — so results are reproducible — applies one
 * optimizer update, and publishes the new parameters through shared memory.
 *
 * Shared memory layout (Float32Array views over SharedArrayBuffers):
 *   params:  all trainable weights, concatenated in model order;
 *   grads:   one slot per worker, each params-sized, holding (shard size / batch size) · ∂loss/∂θ.
 *
 * Across machines the same design maps onto an all-reduce (e.g. Horovod/NCCL-style ring, or a parameter
 * server): each machine plays a worker, the fixed-order sum becomes a deterministic reduction. See
 * docs/architecture.md.
 */
import type { Worker } from 'node:worker_threads';
import { tf } from '../runtime/tensorflow.ts';
import { startTsWorker } from '../util/ts-worker.ts';

/** A module the workers import: it builds the model and defines the mean loss over a batch. */
export interface ParallelModelModule {
  buildModel(): tf.LayersModel;
  meanLoss(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor): tf.Scalar;
}

export interface DataParallelInit {
  moduleUrl: string;
  params: SharedArrayBuffer;
  grads: SharedArrayBuffer;
  slot: number;
  paramCount: number;
}

export interface ShardRequest {
  step: number;
  x: Float32Array;
  xShape: number[];
  y: Float32Array;
  yShape: number[];
  weight: number;
}

export interface DataParallelTrainer {
  /** One synchronous step over the global batch; returns the batch's mean loss. */
  step(x: tf.Tensor, y: tf.Tensor): Promise<number>;
  /** The owner's copy of the model (updated after every step). */
  model: tf.LayersModel;
  close(): Promise<void>;
}

export async function createDataParallelTrainer(
  moduleUrl: URL,
  workerCount: number,
  optimizer: tf.Optimizer,
): Promise<DataParallelTrainer> {
  if (workerCount < 1) throw new Error('data-parallel training needs at least one worker');
  const module = (await import(moduleUrl.href)) as ParallelModelModule;
  const model = module.buildModel();
  const weights = model.trainableWeights;
  const sizes = weights.map((w) => w.shape.reduce<number>((a, b) => a * (b ?? 1), 1));
  const paramCount = sizes.reduce((a, b) => a + b, 0);
  const params = new SharedArrayBuffer(paramCount * 4);
  const grads = new SharedArrayBuffer(paramCount * 4 * workerCount);
  const paramView = new Float32Array(params);
  const publish = async () => {
    let offset = 0;
    for (const w of weights) {
      const values = (await w.read().data()) as Float32Array;
      paramView.set(values, offset);
      offset += values.length;
    }
  };
  await publish();
  const workers: Worker[] = [];
  const waiting = new Map<number, (result: { loss: number; error?: string }) => void>();
  for (let slot = 0; slot < workerCount; slot++) {
    const init: DataParallelInit = { moduleUrl: moduleUrl.href, params, grads, slot, paramCount };
    const worker = startTsWorker(new URL('./data-parallel-worker.ts', import.meta.url), { workerData: init });
    worker.on('message', (message: { slot: number; loss: number; error?: string; ready?: boolean }) => {
      waiting.get(message.slot)?.(message);
    });
    workers.push(worker);
  }
  // Wait until every worker has built its model.
  await Promise.all(
    workers.map(
      (_, slot) =>
        new Promise<void>((resolve, reject) => {
          waiting.set(slot, (m) => (m.error ? reject(new Error(m.error)) : resolve()));
        }),
    ),
  );
  let stepIndex = 0;
  const gradView = new Float32Array(grads);
  const variables = weights.map((w) => w.read() as tf.Variable);

  return {
    model,
    step: async (x, y) => {
      const n = x.shape[0]!;
      const shard = Math.ceil(n / workerCount);
      const xs = (await x.data()) as Float32Array;
      const ys = (await y.data()) as Float32Array;
      const xRow = xs.length / n;
      const yRow = ys.length / n;
      const results = await Promise.all(
        workers.map((worker, slot) => {
          const start = Math.min(n, slot * shard);
          const end = Math.min(n, start + shard);
          return new Promise<{ loss: number; error?: string }>((resolve) => {
            waiting.set(slot, resolve);
            const request: ShardRequest = {
              step: stepIndex,
              x: xs.slice(start * xRow, end * xRow),
              xShape: [end - start, ...x.shape.slice(1)],
              y: ys.slice(start * yRow, end * yRow),
              yShape: [end - start, ...y.shape.slice(1)],
              weight: (end - start) / n,
            };
            worker.postMessage(request);
          });
        }),
      );
      const failed = results.find((r) => r.error);
      if (failed) throw new Error(`data-parallel worker failed: ${failed.error}`);
      // Fixed-order reduction: slot 0 + slot 1 + ... — identical results run after run.
      const total = new Float32Array(paramCount);
      for (let slot = 0; slot < workerCount; slot++) {
        const base = slot * paramCount;
        for (let i = 0; i < paramCount; i++) total[i]! += gradView[base + i]!;
      }
      const named: tf.NamedTensorMap = {};
      let offset = 0;
      variables.forEach((variable, k) => {
        named[variable.name] = tf.tensor(total.subarray(offset, offset + sizes[k]!), variable.shape);
        offset += sizes[k]!;
      });
      optimizer.applyGradients(named);
      tf.dispose(Object.values(named));
      await publish();
      stepIndex++;
      return results.reduce((sum, r) => sum + r.loss, 0);
    },
    close: async () => {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
