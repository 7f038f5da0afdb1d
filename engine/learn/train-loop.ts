/**
 * One training loop for the three classic modes:
 *   - online:     one sample, one update (N updates per epoch);
 *   - full-batch: the gradient of the whole set, accumulated in memory-bounded chunks, then one update;
 *   - mini-batch: seeded shuffles, ⌈N/B⌉ updates per epoch.
 * With progress callbacks, early stopping on a monitored loss, and a deterministic seed. The loss is the mean
 * over the samples it is given, so chunked full-batch gradients (weighted by chunk size) equal unchunked ones.
 */
import * as tf from '@tensorflow/tfjs';
import { createRandom, shuffled } from '../util/random.ts';
import { RpropOptimizer } from './rprop.ts';

export type TrainingMode = 'online' | 'full-batch' | 'mini-batch';

export interface TrainLoopConfig {
  mode: TrainingMode;
  epochs: number;
  /** Mini-batch size. */
  batchSize: number;
  /** Full-batch mode: samples per gradient chunk (bounds memory); the update still uses the whole set. */
  chunkSize: number;
  seed: number;
  /** Stop when the epoch loss has not improved by minDelta for `patience` epochs. */
  earlyStopping?: { patience: number; minDelta: number };
  /** First epoch to run (to resume after a checkpoint). */
  startEpoch: number;
}

export const DEFAULT_TRAIN_LOOP: TrainLoopConfig = {
  mode: 'mini-batch',
  epochs: 10,
  batchSize: 32,
  chunkSize: 256,
  seed: 1,
  startEpoch: 0,
};

export interface EpochReport {
  epoch: number;
  loss: number;
  updates: number;
}

export interface TrainLoopCallbacks {
  onEpochEnd?: (report: EpochReport) => void | Promise<void>;
  onWarning?: (message: string) => void;
}

export interface TrainLoopResult {
  updates: number;
  epochs: EpochReport[];
  stoppedEarly: boolean;
}

/** loss(x, y) must return the mean loss over the rows it is given. */
export type MeanLoss = (x: tf.Tensor, y: tf.Tensor) => tf.Scalar;

function rows(t: tf.Tensor, indices: readonly number[]): tf.Tensor {
  return tf.gather(t, tf.tensor1d(Array.from(indices), 'int32'));
}

export async function trainLoop(
  loss: MeanLoss,
  variables: readonly tf.Variable[],
  data: { x: tf.Tensor; y: tf.Tensor },
  optimizer: tf.Optimizer,
  config: TrainLoopConfig = DEFAULT_TRAIN_LOOP,
  callbacks: TrainLoopCallbacks = {},
): Promise<TrainLoopResult> {
  const n = data.x.shape[0]!;
  if (n === 0) throw new Error('trainLoop needs at least one sample');
  if (optimizer instanceof RpropOptimizer && config.mode !== 'full-batch') {
    (callbacks.onWarning ?? console.warn)(
      `RPROP is a full-batch method: with ${config.mode} updates the gradient signs are noisy and its step sizes collapse. Use mode 'full-batch'.`,
    );
  }
  const varList = variables.slice();
  const all = Array.from({ length: n }, (_, i) => i);
  const epochs: EpochReport[] = [];
  let updates = 0;
  let best = Number.POSITIVE_INFINITY;
  let sinceBest = 0;
  let stoppedEarly = false;

  const step = (indices: readonly number[]): number => {
    const value = tf.tidy(() => {
      const x = rows(data.x, indices);
      const y = rows(data.y, indices);
      const cost = optimizer.minimize(() => loss(x, y), true, varList)!;
      return cost.dataSync()[0]!;
    });
    updates++;
    return value;
  };

  /** Whole-set gradient as the size-weighted mean of chunk gradients, then a single update. */
  const fullBatchStep = (): number => {
    let total = 0;
    let accumulated: tf.NamedTensorMap | undefined;
    for (let start = 0; start < n; start += config.chunkSize) {
      const chunk = all.slice(start, start + config.chunkSize);
      const weight = chunk.length / n;
      const { value, grads } = tf.variableGrads(
        () => loss(rows(data.x, chunk), rows(data.y, chunk)),
        varList,
      );
      total += value.dataSync()[0]! * weight;
      value.dispose();
      const next: tf.NamedTensorMap = {};
      for (const name of Object.keys(grads)) {
        next[name] = tf.tidy(() => {
          const scaled = tf.mul(grads[name]!, weight);
          return accumulated ? tf.add(accumulated[name]!, scaled) : scaled;
        });
      }
      tf.dispose(Object.values(grads));
      if (accumulated) tf.dispose(Object.values(accumulated));
      accumulated = next;
    }
    optimizer.applyGradients(accumulated!);
    tf.dispose(Object.values(accumulated!));
    updates++;
    return total;
  };

  for (let epoch = config.startEpoch; epoch < config.epochs; epoch++) {
    const random = createRandom(config.seed * 100_003 + epoch);
    let epochLoss = 0;
    const before = updates;
    if (config.mode === 'full-batch') {
      epochLoss = fullBatchStep();
    } else {
      const order = shuffled(all, random);
      const size = config.mode === 'online' ? 1 : config.batchSize;
      for (let start = 0; start < n; start += size) {
        const batch = order.slice(start, start + size);
        epochLoss += step(batch) * (batch.length / n);
      }
    }
    const report: EpochReport = { epoch, loss: epochLoss, updates: updates - before };
    epochs.push(report);
    await callbacks.onEpochEnd?.(report);
    if (config.earlyStopping) {
      if (epochLoss < best - config.earlyStopping.minDelta) {
        best = epochLoss;
        sinceBest = 0;
      } else if (++sinceBest >= config.earlyStopping.patience) {
        stoppedEarly = true;
        break;
      }
    }
  }
  return { updates, epochs, stoppedEarly };
}
