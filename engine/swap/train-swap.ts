/**
 * The one training loop of both swap models. Each step:
 *   1. draws `batchSize` training faces of A and of B and augments them (random similarity on everything,
 *      random elastic warp on the input only; see random-warp.ts);
 *   2. A through encoder → decoder A, B through encoder → decoder B; masked SSIM + weighted L1 + mask MSE;
 *      UNIT adds the KL of its Gaussian latent and, with `cycle`, A → B → A and B → A → B reconstructions;
 *   3. one Adam update of every weight (faceswap's β₁ = 0.5).
 * It checkpoints every `checkpointEvery` steps (and when stopped), writes a preview grid every `previewEvery`
 * steps, and resumes from the project's checkpoint when there is one.
 */
import { join } from 'node:path';
import { encodePng } from '../imaging/png.ts';
import {
  createDataParallelTrainer,
  evenShards,
  type DataParallelTrainer,
  type HostBatch,
  type HostTensor,
  type ShardPlan,
} from '../learn/data-parallel.ts';
import { cosineDecay, setOptimizerLearningRate } from '../learn/learning-rate.ts';
import { initTensorflow, tf } from '../runtime/tensorflow.ts';
import { UnmaskError } from '../util/errors.ts';
import { writeFileAtomic } from '../util/files.ts';
import type { ProgressListener } from '../util/progress.ts';
import { createRandom, type Random } from '../util/random.ts';
import { faceFromStack, previewGrid } from './preview.ts';
import { augmentFace, DEFAULT_AUGMENT, type AugmentOptions } from './random-warp.ts';
import {
  DEFAULT_SWAP_LOSS_WEIGHTS,
  gaussianKl,
  reconstructionTerms,
  weightedReconstructionLoss,
  type SwapLossWeights,
} from './swap-loss.ts';
import { buildSwapNetworks, IDENTITIES, other, type Identity, type SwapNetworks } from './swap-networks.ts';
import type { SwapShardConfig } from './swap-shard.ts';
import {
  hasCheckpoint,
  loadCheckpoint,
  readFaceSet,
  readSwapProject,
  saveCheckpoint,
  swapWriteError,
  type CheckpointState,
  type LoadedFaceSet,
  type TrainingLogEntry,
} from './swap-project.ts';

export interface TrainSwapOptions {
  /** Train until the project has done this many steps in all (resuming counts earlier runs). */
  steps: number;
  /** Stop this run after this many minutes, even if steps remain. */
  maxMinutes: number;
  checkpointEvery: number;
  previewEvery: number;
  /** Faces per preview row count (per identity). */
  previewRows: number;
  augment: AugmentOptions;
  lossWeights: SwapLossWeights;
  /**
   * Worker threads that share each step's batch (data-parallel, engine/learn/data-parallel.ts); 1 trains in this
   * thread. Workers train the same objective on the same batches; weights agree with one thread to float
   * rounding (UNIT's latent noise is drawn per worker).
   */
  workers: number;
  /**
   * Learning-rate schedule: the project's rate until `decayFrom` of the planned steps, then a cosine down to
   * `finalFraction` of it at the last step. A short low-rate phase sharpens reconstructions (measured on the demo
   * project: 300 steps at 0.1× after 3000 raised held-out hull SSIM 0.754 → 0.770 and 0.864 → 0.875).
   */
  learningRateDecay: { decayFrom: number; finalFraction: number };
  signal?: AbortSignal;
  onProgress?: ProgressListener;
  /** Called with each checkpointed log entry (the CLI prints them). */
  onLog?: (entry: TrainingLogEntry, total: number) => void;
  /** Called after every step with its losses (the app draws them live). */
  onStep?: (step: number, losses: StepLosses) => void;
  /** Called with the path of each preview grid once it is written (`previews/preview-NNNNNN.png`). */
  onPreview?: (path: string, step: number) => void;
}

export const DEFAULT_TRAIN_SWAP: TrainSwapOptions = {
  steps: 4000,
  maxMinutes: Number.POSITIVE_INFINITY,
  checkpointEvery: 100,
  previewEvery: 100,
  previewRows: 4,
  augment: DEFAULT_AUGMENT,
  lossWeights: DEFAULT_SWAP_LOSS_WEIGHTS,
  workers: 1,
  learningRateDecay: { decayFrom: 0.9, finalFraction: 0.1 },
};

export interface TrainSwapResult {
  steps: number;
  stepsThisRun: number;
  stoppedBy: 'steps' | 'time' | 'signal';
  lastLoss: number;
  log: TrainingLogEntry[];
  previewPath: string | undefined;
  stepsPerSecond: number;
}

export interface SwapBatch {
  input: tf.Tensor4D;
  target: tf.Tensor4D;
  mask: tf.Tensor4D;
  weight: tf.Tensor4D;
}

/** A swap batch as plain arrays (what the data-parallel workers receive): N×S×S×{3, 3, 1, 1}. */
export type SwapBatchArrays = Record<keyof SwapBatch, HostTensor>;

/** One augmented batch of `count` faces drawn from `indices` of a face set, as plain arrays. */
export function swapBatchArrays(
  set: LoadedFaceSet,
  indices: readonly number[],
  count: number,
  random: Random,
  augment: AugmentOptions,
): SwapBatchArrays {
  const s = set.size;
  const area = s * s;
  const input = new Float32Array(count * area * 3);
  const target = new Float32Array(count * area * 3);
  const mask = new Float32Array(count * area);
  const weight = new Float32Array(count * area);
  for (let k = 0; k < count; k++) {
    const index = indices[random.int(0, indices.length - 1)]!;
    const base = index * area * 5;
    const stacked = { width: s, height: s, channels: 5, data: new Float32Array(area * 5) };
    for (let i = 0; i < area * 5; i++) stacked.data[i] = set.stacked[base + i]! / 255;
    const sample = augmentFace(stacked, random, augment);
    input.set(sample.input.data, k * area * 3);
    target.set(sample.target.data, k * area * 3);
    mask.set(sample.mask.data, k * area);
    weight.set(sample.weight.data, k * area);
  }
  return {
    input: { data: input, shape: [count, s, s, 3] },
    target: { data: target, shape: [count, s, s, 3] },
    mask: { data: mask, shape: [count, s, s, 1] },
    weight: { data: weight, shape: [count, s, s, 1] },
  };
}

export const SWAP_BATCH_FIELDS = ['input', 'target', 'mask', 'weight'] as const;

/** Both identities' batches as one flat batch for the data-parallel workers (swap-shard.ts): `a_input`, … */
export function flattenSwapBatches(batches: Record<Identity, SwapBatchArrays>): HostBatch {
  return Object.fromEntries(
    IDENTITIES.flatMap((identity) =>
      SWAP_BATCH_FIELDS.map((field) => [`${identity}_${field}`, batches[identity][field]]),
    ),
  );
}

/**
 * The data-parallel shard plan for swap batches: with an even number of workers, half of them take identity A's
 * rows and half B's (each identity's rows cut evenly among its workers), so a worker runs the shared encoder and
 * one decoder on a full-size shard instead of both decoders on half-size ones. The loss is a sum over the
 * identities of per-identity means, so a worker's weight is its share of its identity's rows. Measured on the
 * 64 px template model at 8 faces per identity: about 630 ms for A's 8 faces against about 740 ms for 4 + 4
 * (the per-layer costs that do not shrink with the batch are paid for one decoder instead of two). An odd number
 * of workers splits every input evenly, as `evenShards` does.
 */
export const identityShards: ShardPlan = (inputs, workers) => {
  if (workers < 2 || workers % 2 !== 0) return evenShards(inputs, workers);
  return IDENTITIES.flatMap((identity) =>
    evenShards(
      inputs.filter(({ name }) => name.startsWith(`${identity}_`)),
      workers / 2,
    ),
  );
};

export function swapBatchTensors(arrays: SwapBatchArrays): SwapBatch {
  const t = (h: HostTensor) => tf.tensor4d(h.data, h.shape as [number, number, number, number]);
  return { input: t(arrays.input), target: t(arrays.target), mask: t(arrays.mask), weight: t(arrays.weight) };
}

export interface StepLosses {
  total: number;
  a: number;
  b: number;
}

/**
 * The training loss of one step: per identity, the masked reconstruction terms (plus UNIT's KL and, with
 * `cycle`, the cycle L1); `total` is their sum over both identities. Used in-process and by the data-parallel
 * workers (swap-shard.ts), so both train the same objective.
 */
export function swapLoss(
  networks: SwapNetworks,
  batches: Partial<Record<Identity, SwapBatch>>,
  weights: SwapLossWeights,
  cycle: boolean,
): { total: tf.Scalar; parts: Partial<Record<Identity, tf.Scalar>> } {
  const parts: Partial<Record<Identity, tf.Scalar>> = {};
  let sum = tf.scalar(0);
  for (const identity of IDENTITIES) {
    // A data-parallel shard may hold one identity only (identityShards).
    const batch = batches[identity];
    if (!batch) continue;
    const encoded = networks.encode(identity, batch.input, true);
    const output = networks.decode(identity, encoded.code);
    let loss = weightedReconstructionLoss(
      reconstructionTerms(output, batch.target, batch.mask, batch.weight),
      weights,
    );
    if (encoded.mean) loss = loss.add(gaussianKl(encoded.mean).mul(weights.kl));
    if (cycle && encoded.mean) {
      // A → B → A: the swap must keep enough of A's code to come back.
      const [n, s] = output.shape;
      const swapped = networks
        .decode(other(identity), encoded.code)
        .slice([0, 0, 0, 0], [n, s, s, 3]) as tf.Tensor4D;
      const back = networks.encode(other(identity), swapped, true);
      const cycled = networks.decode(identity, back.code).slice([0, 0, 0, 0], [n, s, s, 3]);
      const cycleL1 = cycled.sub(batch.target).abs().mul(batch.weight).mean();
      loss = loss.add(cycleL1.mul(weights.cycle)).add(gaussianKl(back.mean!).mul(weights.kl));
    }
    parts[identity] = loss as tf.Scalar;
    sum = sum.add(loss);
  }
  return { total: sum as tf.Scalar, parts };
}

/** One optimizer step on a batch of each identity; returns the losses (synchronously read). */
export function swapTrainStep(
  networks: SwapNetworks,
  optimizer: tf.Optimizer,
  batches: Record<Identity, SwapBatch>,
  weights: SwapLossWeights,
  cycle: boolean,
): StepLosses {
  const parts: Partial<Record<Identity, tf.Scalar>> = {};
  const variables = networks.trainableVariables();
  const total = optimizer.minimize(
    () => {
      const loss = swapLoss(networks, batches, weights, cycle);
      for (const identity of IDENTITIES) parts[identity] = tf.keep(loss.parts[identity]!.clone());
      return loss.total;
    },
    true,
    variables,
  )!;
  const result = { total: total.dataSync()[0]!, a: parts.a!.dataSync()[0]!, b: parts.b!.dataSync()[0]! };
  tf.dispose([total, parts.a!, parts.b!]);
  return result;
}

function disposeBatch(batch: SwapBatch): void {
  tf.dispose([batch.input, batch.target, batch.mask, batch.weight]);
}

/** Trains (or resumes training of) the project in `dir` until `options.steps`, a time limit or a signal. */
export async function trainSwapModel(
  dir: string,
  overrides: Partial<TrainSwapOptions> = {},
): Promise<TrainSwapResult> {
  const options = { ...DEFAULT_TRAIN_SWAP, ...overrides };
  const { onProgress = () => undefined, signal } = options;
  await initTensorflow();
  const project = await readSwapProject(dir);
  const sets = { a: await readFaceSet(dir, project, 'a'), b: await readFaceSet(dir, project, 'b') };
  const optimizer = tf.train.adam(project.training.learningRate, 0.5, 0.999);
  let networks: SwapNetworks;
  let state: CheckpointState;
  if (hasCheckpoint(dir)) ({ networks, state } = await loadCheckpoint(dir, project, optimizer));
  else {
    networks = buildSwapNetworks(project.architecture, project.seed);
    state = { step: 0, elapsedSec: 0, architecture: project.architecture, log: [] };
  }
  const previewFaces = (set: LoadedFaceSet) => {
    const pool = set.heldOut.length >= options.previewRows ? set.heldOut : set.train;
    const picks = Array.from(
      { length: Math.min(options.previewRows, pool.length) },
      (_, i) => pool[Math.floor((i * pool.length) / options.previewRows)]!,
    );
    return picks.map((i) => faceFromStack(set.stacked, set.size, i));
  };
  const preview = { a: previewFaces(sets.a), b: previewFaces(sets.b) };
  const started = performance.now();
  const startStep = state.step;
  const deadline = started + options.maxMinutes * 60_000;
  let stoppedBy: TrainSwapResult['stoppedBy'] = 'steps';
  let previewPath: string | undefined;
  let running = { total: 0, a: 0, b: 0, n: 0 };
  let last: StepLosses = { total: Number.NaN, a: Number.NaN, b: Number.NaN };

  const writePreview = async () => {
    await parallel?.sync();
    const png = encodePng(previewGrid(networks, preview));
    const name = `preview-${String(state.step).padStart(6, '0')}.png`;
    try {
      await writeFileAtomic(join(dir, 'previews', name), png);
      await writeFileAtomic(join(dir, 'previews', 'latest.png'), png);
    } catch (error) {
      throw swapWriteError(error, join(dir, 'previews', name));
    }
    previewPath = join(dir, 'previews', 'latest.png');
    options.onPreview?.(join(dir, 'previews', name), state.step);
  };
  const elapsedBefore = state.elapsedSec;
  const elapsed = () => elapsedBefore + (performance.now() - started) / 1000;
  const checkpoint = async () => {
    state.elapsedSec = elapsed();
    await parallel?.sync();
    await saveCheckpoint(dir, networks, optimizer, state);
  };
  // A fresh, reproducible stream per step, so a resumed run draws what an uninterrupted one would have.
  const batchArrays = (step: number): Record<Identity, SwapBatchArrays> => {
    const random = createRandom((project.seed * 1_000_003 + step) >>> 0);
    const { batchSize } = project.training;
    return {
      a: swapBatchArrays(sets.a, sets.a.train, batchSize, random, options.augment),
      b: swapBatchArrays(sets.b, sets.b.train, batchSize, random, options.augment),
    };
  };
  let prefetched: { step: number; batches: Record<Identity, SwapBatchArrays> } | undefined;
  let parallel: DataParallelTrainer | undefined;

  try {
    if (options.workers > 1) {
      parallel = await createDataParallelTrainer({
        moduleUrl: new URL('./swap-shard.ts', import.meta.url),
        config: {
          architecture: project.architecture,
          lossWeights: options.lossWeights,
          cycle: project.training.cycle,
        } satisfies SwapShardConfig,
        workers: options.workers,
        variables: networks.trainableVariables(),
        optimizer,
        planShards: identityShards,
      });
    }
    while (state.step < options.steps) {
      if (signal?.aborted) {
        stoppedBy = 'signal';
        break;
      }
      if (performance.now() >= deadline) {
        stoppedBy = 'time';
        break;
      }
      const arrays = prefetched?.step === state.step ? prefetched.batches : batchArrays(state.step);
      const { decayFrom, finalFraction } = options.learningRateDecay;
      const learningRate = cosineDecay(
        project.training.learningRate,
        state.step / options.steps,
        finalFraction,
        decayFrom,
      );
      if (parallel) {
        // The workers start on this step at once; the next step's batch is augmented meanwhile.
        const pending = parallel.step(flattenSwapBatches(arrays), { learningRate });
        prefetched =
          state.step + 1 < options.steps
            ? { step: state.step + 1, batches: batchArrays(state.step + 1) }
            : undefined;
        const { loss, parts } = await pending;
        last = { total: loss, a: parts['a']!, b: parts['b']! };
      } else {
        const batches = { a: swapBatchTensors(arrays.a), b: swapBatchTensors(arrays.b) };
        try {
          setOptimizerLearningRate(optimizer, learningRate);
          last = swapTrainStep(networks, optimizer, batches, options.lossWeights, project.training.cycle);
        } finally {
          disposeBatch(batches.a);
          disposeBatch(batches.b);
        }
      }
      if (!Number.isFinite(last.total)) {
        throw new UnmaskError(
          'internal',
          `Training diverged at step ${state.step + 1} (loss ${last.total}).`,
        );
      }
      state.step++;
      running = {
        total: running.total + last.total,
        a: running.a + last.a,
        b: running.b + last.b,
        n: running.n + 1,
      };
      options.onStep?.(state.step, last);
      const rate = (state.step - startStep) / ((performance.now() - started) / 1000);
      onProgress({
        stage: 'train',
        done: state.step,
        total: options.steps,
        detail: `loss ${last.total.toFixed(4)} (A ${last.a.toFixed(4)}, B ${last.b.toFixed(4)}) ${rate.toFixed(2)} steps/s`,
      });
      if (state.step % options.checkpointEvery === 0 || state.step === options.steps) {
        const entry: TrainingLogEntry = {
          step: state.step,
          loss: running.total / running.n,
          lossA: running.a / running.n,
          lossB: running.b / running.n,
          elapsedSec: elapsed(),
        };
        state.log.push(entry);
        running = { total: 0, a: 0, b: 0, n: 0 };
        await checkpoint();
        options.onLog?.(entry, options.steps);
      }
      if (state.step % options.previewEvery === 0) await writePreview();
    }
    if (state.step > startStep) {
      await checkpoint();
      await writePreview();
    }
  } finally {
    await parallel?.close();
    networks.dispose();
    optimizer.dispose();
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    steps: state.step,
    stepsThisRun: state.step - startStep,
    stoppedBy,
    lastLoss: last.total,
    log: state.log,
    previewPath,
    stepsPerSecond: (state.step - startStep) / seconds,
  };
}
