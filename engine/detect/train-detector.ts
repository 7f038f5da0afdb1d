/**
 * Trains the detector. Each step mixes two kinds of pairs, built on worker threads (pair-producer.ts):
 *   - self-blends of real faces (footage banks and a labelled dataset's reals): real vs its own blend, with the
 *     blend's boundary map as a target;
 *   - supervised pairs from a labelled dataset: a real face vs a deepfake of the same source, boundary unknown;
 * and fits both heads (manipulation logit + blend-boundary map, the latter only where the mask is known).
 * Validation: held-out footage groups' self-blends with fixed seeds, and the dataset's `val` split as it is.
 * Checkpoints every `checkpointEvery` steps; rerunning with the same output folder resumes from the last
 * checkpoint, which is kept after the last step too, so that a larger `steps` trains on (each change of settings
 * is recorded as a session). Finally fits Platt calibration on the dataset's validation logits (real deepfakes)
 * where there is a dataset, otherwise on the self-blends.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadLayersModel, saveLayersModel } from '../models/layers-model-io.ts';
import { loadOptimizerState, saveOptimizerState } from '../models/optimizer-state.ts';
import { initTensorflow, tf } from '../runtime/tensorflow.ts';
import { writeFileAtomic } from '../util/files.ts';
import type { ProgressListener } from '../util/progress.ts';
import { createRandom, shuffled, type Random } from '../util/random.ts';
import { setOptimizerLearningRate, warmupCosine } from '../learn/learning-rate.ts';
import { fitPlatt, type PlattCalibration } from './calibration.ts';
import { createDataParallelTrainer, type HostBatch, type ShardPlan } from '../learn/data-parallel.ts';
import { UnmaskError } from '../util/errors.ts';
import { detectorLoss, freezeBatchNormStatistics } from './detector-loss.ts';
import type { DetectorShardConfig } from './detector-shard.ts';
import {
  boundaryMapSize,
  createDetectorNetwork,
  DEFAULT_DETECTOR_ARCHITECTURE,
  type DetectorArchitecture,
} from './detector-network.ts';
import { createBatchSampler, sourcePairs } from './batch-sampler.ts';
import { faceCropAt, mergeFaceBanks, type FaceBank } from './face-bank.ts';
import type { LabelledFaceBanks } from './labelled-faces.ts';
import type { Resampling } from '../imaging/float-image.ts';
import { mirrorImage } from '../imaging/mirror.ts';
import { rocAuc } from './metrics.ts';
import { createPairProducer, packPairs, type PackedPairs, type PairItem } from './pair-producer.ts';
import { UNKNOWN_BOUNDARY } from './training-pairs.ts';

export interface TrainDetectorConfig {
  architecture: DetectorArchitecture;
  steps: number;
  /** Self-blended pairs per step (a real face and its blend): two crops each. */
  pairsPerStep: number;
  /** Supervised pairs per step from a labelled dataset (a real face and a deepfake of it): two crops each. */
  supervisedPairsPerStep: number;
  learningRate: number;
  /** Final learning rate as a fraction of the first (cosine decay). */
  finalLearningRateFraction: number;
  /** Steps of linear learning-rate warm-up (for pretrained backbones). */
  warmupSteps: number;
  boundaryLossWeight: number;
  /** Weight of the paired ranking loss, softplus(z_real − z_fake) per pair (detector-loss.ts); 0 = off. */
  rankingLossWeight: number;
  evalEvery: number;
  checkpointEvery: number;
  validationFraction: number;
  maxValidationFaces: number;
  /** Dataset validation crops scored at each evaluation (all of them for the final calibration). */
  maxSupervisedValidationFaces: number;
  seed: number;
  pairWorkers: number;
  /** Data-parallel training workers (engine/learn/data-parallel.ts); 1 trains in this thread. */
  trainWorkers: number;
  /** Stop (and save) after this many minutes even if steps remain. */
  maxMinutes: number;
  /** Crops per step from a bank of known manipulated faces (--fake), labelled fake, boundary unknown. */
  knownFakesPerStep: number;
}

/**
 * How `unmask train-detector` resamples faces into the bank (and so how its model crops when scanning; the
 * manifest records it). Shipped models before v4 were trained on bilinear crops.
 */
export const DEFAULT_TRAIN_RESAMPLING: Resampling = 'bilinear';

export const DEFAULT_TRAIN_DETECTOR: TrainDetectorConfig = {
  architecture: DEFAULT_DETECTOR_ARCHITECTURE,
  steps: 3000,
  pairsPerStep: 16,
  supervisedPairsPerStep: 16,
  learningRate: 2e-3,
  finalLearningRateFraction: 0.05,
  warmupSteps: 0,
  boundaryLossWeight: 2,
  rankingLossWeight: 0,
  evalEvery: 100,
  checkpointEvery: 100,
  validationFraction: 0.15,
  maxValidationFaces: 240,
  maxSupervisedValidationFaces: 800,
  seed: 1,
  pairWorkers: 1,
  trainWorkers: 1,
  maxMinutes: Number.POSITIVE_INFINITY,
  knownFakesPerStep: 4,
};

export interface TrainingLogEntry {
  step: number;
  loss: number;
  classificationLoss: number;
  boundaryLoss: number;
  rankingLoss?: number;
  /** Held-out footage faces vs their self-blends. */
  validationAuc?: number;
  /** The labelled dataset's `val` split: real faces vs real deepfakes. */
  supervisedValidationAuc?: number;
  learningRate: number;
  elapsedSec: number;
  /** Seconds this step waited for its pairs (pair production slower than training when large). */
  pairWaitSec?: number;
  /** Seconds of the training step itself (forward, backward, update). */
  stepSec?: number;
}

export interface TrainDetectorResult {
  modelDir: string;
  steps: number;
  validationAuc: number;
  supervisedValidationAuc: number;
  calibration: PlattCalibration;
  /** What the calibration was fitted on. */
  calibratedOn: 'dataset-val' | 'self-blends';
  log: TrainingLogEntry[];
  /** Settings by stretch of steps; more than one when a resume changed them (e.g. a longer schedule). */
  sessions: TrainingSession[];
  trainGroups: string[];
  validationGroups: string[];
}

/** Splits the bank's faces by group so no identity straddles train and validation. */
export function splitByGroup(
  bank: FaceBank,
  fraction: number,
  seed: number,
): { train: number[]; validation: number[]; validationGroups: string[] } {
  const groups = [...new Set(bank.entries.map((e) => e.group))].sort();
  const order = shuffled(groups, createRandom(seed ^ 0x5eed));
  const count = groups.length < 2 ? 0 : Math.max(1, Math.round(groups.length * fraction));
  const validationGroups = new Set(order.slice(0, count));
  const train: number[] = [];
  const validation: number[] = [];
  bank.entries.forEach((entry, i) => (validationGroups.has(entry.group) ? validation : train).push(i));
  if (train.length === 0) throw new Error('the face bank has no training faces');
  return { train, validation, validationGroups: [...validationGroups].sort() };
}

/**
 * A step's batch as plain arrays, pair by pair: each real crop (label 0, boundary all zero) is followed by its fake
 * (label 1; its boundary, or UNKNOWN_BOUNDARY), then optional known fakes (unpaired; padded with a blank
 * unpaired row to an even count so that shards hold whole pairs); crops mapped to the network's [-1, 1].
 */
export function batchArrays(
  packed: PackedPairs,
  size: number,
  mapSize: number,
  knownFakes?: Float32Array,
): HostBatch {
  const pixels = size * size * 3;
  const cells = mapSize * mapSize;
  const n = packed.count;
  const k = knownFakes ? knownFakes.length / pixels : 0;
  const total = 2 * n + k + (k % 2);
  const x = new Float32Array(total * pixels);
  const labels = new Float32Array(total);
  const pairs = new Float32Array(total);
  const boundary = new Float32Array(total * cells).fill(UNKNOWN_BOUNDARY, 2 * n * cells);
  for (let i = 0; i < n; i++) {
    x.set(packed.real.subarray(i * pixels, (i + 1) * pixels), 2 * i * pixels);
    x.set(packed.fake.subarray(i * pixels, (i + 1) * pixels), (2 * i + 1) * pixels);
    boundary.set(packed.boundary.subarray(i * cells, (i + 1) * cells), (2 * i + 1) * cells);
    labels[2 * i + 1] = 1;
    pairs[2 * i] = -1;
    pairs[2 * i + 1] = 1;
  }
  if (knownFakes) {
    x.set(knownFakes, 2 * n * pixels);
    labels.fill(1, 2 * n, 2 * n + k);
  }
  for (let i = 0; i < x.length; i++) x[i] = x[i]! * 2 - 1;
  return {
    x: { data: x, shape: [total, size, size, 3] },
    labels: { data: labels, shape: [total, 1] },
    boundary: { data: boundary, shape: [total, mapSize, mapSize, 1] },
    pairs: { data: pairs, shape: [total, 1] },
  };
}

/** Shards of whole pairs: the even-row cuts nearest to equal shares, each weighted by its share of the rows. */
export const pairShards: ShardPlan = (inputs, workers) => {
  const n = inputs[0]!.shape[0]!;
  const cut = (w: number) => Math.min(n, 2 * Math.round((w * n) / workers / 2));
  return Array.from({ length: workers }, (_, slot) => {
    const start = cut(slot);
    const end = slot === workers - 1 ? n : cut(slot + 1);
    return {
      rows: Object.fromEntries(inputs.map(({ name }) => [name, { start, end }])),
      weight: n ? (end - start) / n : 0,
    };
  });
};

/** Trains on one batch: in this thread, or on the data-parallel workers. */
interface DetectorStepper {
  step(
    batch: HostBatch,
    learningRate: number,
  ): Promise<{ loss: number; classification: number; boundary: number; ranking: number }>;
  /** Brings the owner's model and optimizer up to date (before evaluating or saving). */
  sync(): Promise<void>;
  close(): Promise<void>;
}

function inProcessStepper(
  model: tf.LayersModel,
  optimizer: tf.AdamOptimizer,
  config: TrainDetectorConfig,
): DetectorStepper {
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  return {
    step: async (host, learningRate) => {
      setOptimizerLearningRate(optimizer, learningRate);
      const batch = tf.tidy(() => ({
        x: tf.tensor4d(host['x']!.data, host['x']!.shape as [number, number, number, number]),
        labels: tf.tensor(host['labels']!.data, host['labels']!.shape),
        boundary: tf.tensor(host['boundary']!.data, host['boundary']!.shape),
        pairs: tf.tensor(host['pairs']!.data, host['pairs']!.shape),
      }));
      let parts: tf.Scalar[] = [];
      const loss = optimizer.minimize(
        () => {
          const out = detectorLoss(model, batch, config);
          parts = [
            tf.keep(out.parts.classification),
            tf.keep(out.parts.boundary),
            tf.keep(out.parts.ranking),
          ];
          return out.loss;
        },
        true,
        variables,
      )!;
      const [total, classification, boundary, ranking] = await Promise.all(
        [loss, ...parts].map((t) => t.data()),
      );
      tf.dispose([loss, ...parts, batch.x, batch.labels, batch.boundary, batch.pairs]);
      return {
        loss: total![0]!,
        classification: classification![0]!,
        boundary: boundary![0]!,
        ranking: ranking![0]!,
      };
    },
    sync: async () => undefined,
    close: async () => undefined,
  };
}

async function parallelStepper(
  model: tf.LayersModel,
  optimizer: tf.AdamOptimizer,
  config: TrainDetectorConfig,
): Promise<DetectorStepper> {
  const trainer = await createDataParallelTrainer({
    moduleUrl: new URL('./detector-shard.ts', import.meta.url),
    config: {
      architecture: config.architecture,
      seed: config.seed,
      boundaryLossWeight: config.boundaryLossWeight,
      rankingLossWeight: config.rankingLossWeight,
    } satisfies DetectorShardConfig,
    workers: config.trainWorkers,
    variables: model.trainableWeights.map((w) => w.read() as tf.Variable),
    optimizer,
    planShards: pairShards,
  });
  return {
    step: async (batch, learningRate) => {
      const { loss, parts } = await trainer.step(batch, { learningRate });
      return {
        loss,
        classification: parts['classification']!,
        boundary: parts['boundary']!,
        ranking: parts['ranking']!,
      };
    },
    sync: () => trainer.sync(),
    close: () => trainer.close(),
  };
}

/** k known-fake crops from their bank, resized to the input and mirrored at random. */
function knownFakeCrops(bank: FaceBank, count: number, size: number, random: Random): Float32Array {
  const out = new Float32Array(count * size * size * 3);
  for (let k = 0; k < count; k++) {
    let crop = faceCropAt(bank, random.int(0, bank.entries.length - 1), size);
    if (random.chance(0.5)) crop = mirrorImage(crop);
    out.set(crop.data, k * size * size * 3);
  }
  return out;
}

/** Fixed validation pairs: up to maxValidationFaces held-out faces, each with a fixed seed. */
export function validationPairs(
  bank: FaceBank,
  validationIndices: readonly number[],
  config: TrainDetectorConfig,
): PackedPairs | undefined {
  const size = config.architecture.inputSize;
  const items = shuffled(validationIndices, createRandom(config.seed ^ 0xa11))
    .slice(0, config.maxValidationFaces)
    .map((index, k): PairItem => ({ index, seed: 1_000_003 * (k + 1) }));
  return items.length ? packPairs(bank, items, size, boundaryMapSize(config.architecture)) : undefined;
}

/** A labelled dataset split as network input, unaugmented: crops (0..1) and labels (1 = fake). */
export interface LabelledCrops {
  count: number;
  crops: Float32Array;
  labels: (0 | 1)[];
}

/**
 * Up to `max` crops of a labelled bank at `size`, whole sources at a time (a fixed, seeded choice of sources),
 * so the real and fake faces of a source are always scored together.
 */
export function labelledCrops(bank: FaceBank, size: number, max: number, seed: number): LabelledCrops {
  const indices: number[] = [];
  for (const source of shuffled(
    sourcePairs(
      bank,
      bank.entries.map((_, i) => i),
    ),
    createRandom(seed),
  )) {
    if (indices.length + source.reals.length + source.fakes.length > max) break;
    indices.push(...source.reals, ...source.fakes);
  }
  const pixels = size * size * 3;
  const crops = new Float32Array(indices.length * pixels);
  indices.forEach((index, k) => crops.set(faceCropAt(bank, index, size).data, k * pixels));
  return {
    count: indices.length,
    crops,
    labels: indices.map((i) => (bank.entries[i]!.label === 'fake' ? 1 : 0)),
  };
}

/** The manipulation logits of crops (0..1, packed), in chunks. */
export async function networkLogits(
  model: tf.LayersModel,
  crops: Float32Array,
  size: number,
  chunk = 32,
): Promise<number[]> {
  const pixels = size * size * 3;
  const count = crops.length / pixels;
  const logits: number[] = [];
  for (let start = 0; start < count; start += chunk) {
    const end = Math.min(count, start + chunk);
    const out = tf.tidy(() => {
      const x = tf.tensor4d(crops.subarray(start * pixels, end * pixels), [end - start, size, size, 3]);
      return (model.predict(x.mul(2).sub(1)) as tf.Tensor[])[0]!.reshape([-1]);
    });
    logits.push(...(await out.data()));
    out.dispose();
  }
  return logits;
}

/** Validation AUC and a Platt calibration fitted on the held-out self-blended pairs' logits. */
export async function calibrateOnValidation(
  model: tf.LayersModel,
  validation: PackedPairs | undefined,
  architecture: DetectorArchitecture,
): Promise<{ auc: number; calibration: PlattCalibration }> {
  if (!validation) return { auc: Number.NaN, calibration: { method: 'platt', a: 1, b: 0 } };
  const { logits, labels } = await pairLogits(model, validation, architecture.inputSize);
  return {
    auc: rocAuc(logits.map((score, i) => ({ score, label: labels[i]! }))),
    calibration: fitPlatt(logits, labels),
  };
}

/** Logits of packed pairs: every real crop (label 0), then every fake (label 1). */
async function pairLogits(
  model: tf.LayersModel,
  packed: PackedPairs,
  size: number,
): Promise<{ logits: number[]; labels: (0 | 1)[] }> {
  const real = await networkLogits(model, packed.real, size);
  const fake = await networkLogits(model, packed.fake, size);
  return {
    logits: [...real, ...fake],
    labels: [...real.map((): 0 => 0), ...fake.map((): 1 => 1)],
  };
}

const aucOf = (logits: readonly number[], labels: readonly (0 | 1)[]): number =>
  logits.length ? rocAuc(logits.map((score, i) => ({ score, label: labels[i]! }))) : Number.NaN;

/** What the detector learns from (see the file comment). At least one of `reals` or `labelled.train`. */
export interface DetectorTrainingData {
  /** Real faces from footage (no labels): self-blend sources, split by group into train and validation. */
  reals?: FaceBank;
  /** A labelled dataset's banks per split (labelled-faces.ts): `train` trains, `val` validates and calibrates. */
  labelled?: LabelledFaceBanks;
  /** Known manipulated faces without masks (--fake): labelled fake, boundary unknown. */
  knownFakes?: FaceBank;
}

/** One bank of every training face (footage reals first), and which of its faces train and validate. */
export function trainingBank(
  data: DetectorTrainingData,
  config: TrainDetectorConfig,
): { bank: FaceBank; train: number[]; validation: number[]; validationGroups: string[] } {
  const parts = [data.reals, data.labelled?.train].filter((b): b is FaceBank => b !== undefined);
  if (parts.length === 0)
    throw new Error('nothing to train on: give real footage, a labelled dataset or both');
  const bank = mergeFaceBanks(parts);
  const footage = data.reals
    ? splitByGroup(data.reals, config.validationFraction, config.seed)
    : { train: [], validation: [], validationGroups: [] };
  const offset = data.reals?.entries.length ?? 0;
  const datasetTrain = (data.labelled?.train?.entries ?? []).map((_, i) => offset + i);
  return {
    bank,
    train: [...footage.train, ...datasetTrain],
    validation: footage.validation,
    validationGroups: footage.validationGroups,
  };
}

type TrainingSettings = Omit<TrainDetectorConfig, 'maxMinutes'>;

/** A stretch of training run with one set of settings (a resume with changed settings starts the next). */
export interface TrainingSession {
  fromStep: number;
  config: TrainingSettings;
}

export interface CheckpointState {
  step: number;
  log: TrainingLogEntry[];
  config: TrainingSettings;
  /** Absent in checkpoints written before sessions were recorded: those ran with `config` from step 0. */
  sessions?: TrainingSession[];
}

/**
 * The checkpoint's network at `architecture.inputSize`: the same weights in a network built for the new size,
 * so a run can be resumed at a larger input (every layer of the detector is size-agnostic). Disposes `model`
 * when it rebuilds.
 */
async function atInputSize(
  model: tf.LayersModel,
  architecture: DetectorArchitecture,
  seed: number,
): Promise<tf.LayersModel> {
  const saved = model.inputs[0]!.shape[1];
  if (saved === architecture.inputSize) return model;
  const rebuilt = await createDetectorNetwork(architecture, seed);
  try {
    rebuilt.setWeights(model.getWeights());
  } catch (error) {
    rebuilt.dispose();
    throw new UnmaskError(
      'usage',
      `The checkpoint's network (input ${saved} px) does not fit the requested architecture at ${architecture.inputSize} px: ${(error as Error).message}`,
    );
  } finally {
    model.dispose();
  }
  return rebuilt;
}

export async function trainDetector(
  data: DetectorTrainingData,
  outDir: string,
  config: TrainDetectorConfig = DEFAULT_TRAIN_DETECTOR,
  onProgress: ProgressListener = () => undefined,
  signal?: AbortSignal,
): Promise<TrainDetectorResult> {
  await initTensorflow();
  const { architecture } = config;
  const size = architecture.inputSize;
  const mapSize = boundaryMapSize(architecture);
  const checkpointDir = join(outDir, 'checkpoint');
  const { bank, train, validation: validationIndices, validationGroups } = trainingBank(data, config);
  const trainGroups = [...new Set(train.map((i) => bank.entries[i]!.group))].sort();
  const datasetSources = new Set((data.labelled?.train?.entries ?? []).map((e) => e.group));
  const datasetVal = data.labelled?.val;
  const plan = {
    selfBlend: config.pairsPerStep,
    supervised: data.labelled?.train ? config.supervisedPairsPerStep : 0,
  };
  const validation = validationPairs(bank, validationIndices, config);
  const supervisedValidation = datasetVal
    ? labelledCrops(datasetVal, size, config.maxSupervisedValidationFaces, config.seed)
    : undefined;

  let model: tf.LayersModel;
  const settings = { ...config, maxMinutes: undefined } as TrainingSettings;
  let state: CheckpointState = { step: 0, log: [], config: settings };
  const resuming = existsSync(join(checkpointDir, 'state.json'));
  if (resuming) {
    state = JSON.parse(await readFile(join(checkpointDir, 'state.json'), 'utf8')) as CheckpointState;
    model = await atInputSize(
      (await loadLayersModel(join(checkpointDir, 'model'))).model,
      architecture,
      config.seed,
    );
  } else {
    model = await createDetectorNetwork(architecture, config.seed);
  }
  state.sessions ??= resuming ? [{ fromStep: 0, config: state.config }] : [];
  const lastSession = state.sessions.at(-1);
  if (!lastSession || JSON.stringify(lastSession.config) !== JSON.stringify(settings))
    state.sessions.push({ fromStep: state.step, config: settings });
  const pretrained = architecture.backbone === 'mobilenet-v2';
  if (pretrained) freezeBatchNormStatistics(model);
  if (config.trainWorkers > 1 && !pretrained) {
    // Batch-norm statistics are not shared weights: workers would each keep their own.
    throw new UnmaskError(
      'usage',
      'Data-parallel training (--train-workers > 1) needs a backbone with frozen batch norm (mobilenet-v2).',
    );
  }
  const optimizer = tf.train.adam(config.learningRate);
  const local = inProcessStepper(model, optimizer, config);
  if (resuming && existsSync(join(checkpointDir, 'optimizer.bin'))) {
    // Adam creates its slots on first use: run one zero-learning-rate step, then overwrite them.
    const warm = packPairs(bank, [{ index: train[0]!, seed: 1 }], size, mapSize);
    await local.step(batchArrays(warm, size, mapSize), 0);
    await loadOptimizerState(optimizer, join(checkpointDir, 'optimizer.bin'));
  }
  const stepper = config.trainWorkers > 1 ? await parallelStepper(model, optimizer, config) : local;

  const producer = createPairProducer(bank, size, mapSize, config.pairWorkers);
  const sampler = createBatchSampler(bank, train, plan, createRandom(config.seed * 7919 + state.step));
  const fakeRandom = createRandom(config.seed * 31 + state.step);

  const started = Date.now();
  const elapsedBefore = state.log.at(-1)?.elapsedSec ?? 0;
  const saveCheckpoint = async () => {
    await stepper.sync();
    await saveLayersModel(model, join(checkpointDir, 'model'));
    await saveOptimizerState(optimizer, join(checkpointDir, 'optimizer.bin'));
    await writeFileAtomic(join(checkpointDir, 'state.json'), JSON.stringify(state));
  };
  const evaluate = async (): Promise<{ sbi: number; supervised: number }> => {
    await stepper.sync();
    const sbi = validation ? await pairLogits(model, validation, size) : undefined;
    const supervised = supervisedValidation
      ? await networkLogits(model, supervisedValidation.crops, size)
      : undefined;
    return {
      sbi: sbi ? aucOf(sbi.logits, sbi.labels) : Number.NaN,
      supervised: supervised ? aucOf(supervised, supervisedValidation!.labels) : Number.NaN,
    };
  };

  let pending = producer.produce(sampler.next());
  try {
    while (state.step < config.steps) {
      if (signal?.aborted) break;
      if ((Date.now() - started) / 60000 > config.maxMinutes) break;
      const waitStarted = performance.now();
      const packed = await pending;
      const pairWaitSec = (performance.now() - waitStarted) / 1000;
      pending = producer.produce(sampler.next());
      const lr = warmupCosine(
        config.learningRate,
        state.step,
        config.steps,
        config.warmupSteps,
        config.finalLearningRateFraction,
      );
      const extra =
        data.knownFakes && data.knownFakes.entries.length && config.knownFakesPerStep > 0
          ? knownFakeCrops(data.knownFakes, config.knownFakesPerStep, size, fakeRandom)
          : undefined;
      const stepStarted = performance.now();
      const losses = await stepper.step(batchArrays(packed, size, mapSize, extra), lr);
      const stepSec = (performance.now() - stepStarted) / 1000;
      if (!Number.isFinite(losses.loss))
        throw new UnmaskError(
          'internal',
          `Training diverged at step ${state.step + 1} (loss ${losses.loss}).`,
        );
      state.step++;
      const entry: TrainingLogEntry = {
        step: state.step,
        loss: losses.loss,
        classificationLoss: losses.classification,
        boundaryLoss: losses.boundary,
        rankingLoss: losses.ranking,
        learningRate: lr,
        elapsedSec: elapsedBefore + (Date.now() - started) / 1000,
        pairWaitSec,
        stepSec,
      };
      if (state.step % config.evalEvery === 0 || state.step === config.steps) {
        const aucs = await evaluate();
        if (!Number.isNaN(aucs.sbi)) entry.validationAuc = aucs.sbi;
        if (!Number.isNaN(aucs.supervised)) entry.supervisedValidationAuc = aucs.supervised;
      }
      state.log.push(entry);
      const recent = state.log.slice(-20);
      const mean = (pick: (e: TrainingLogEntry) => number | undefined) =>
        recent.reduce((sum, e) => sum + (pick(e) ?? 0), 0) / recent.length;
      const shown = [
        `${mean((e) => (e.stepSec ?? 0) + (e.pairWaitSec ?? 0)).toFixed(2)} s/step (${mean((e) => e.pairWaitSec).toFixed(2)} s waiting for pairs)`,
        entry.validationAuc !== undefined ? `self-blend val AUC ${entry.validationAuc.toFixed(3)}` : '',
        entry.supervisedValidationAuc !== undefined
          ? `dataset val AUC ${entry.supervisedValidationAuc.toFixed(3)}`
          : '',
      ].filter(Boolean);
      onProgress({
        stage: 'train',
        done: state.step,
        total: config.steps,
        detail: [`loss ${entry.loss.toFixed(3)}`, ...shown].join(' · '),
      });
      if (state.step % config.checkpointEvery === 0) await saveCheckpoint();
    }
    await saveCheckpoint();
  } finally {
    await pending.catch(() => undefined);
    await producer.close();
    await stepper.close();
  }

  const sbiFinal = await calibrateOnValidation(model, validation, architecture);
  let calibration = sbiFinal.calibration;
  let calibratedOn: TrainDetectorResult['calibratedOn'] = 'self-blends';
  let supervisedValidationAuc = Number.NaN;
  if (datasetVal) {
    // Calibrate on every validation face of the dataset: real deepfakes, so 0.8 means about 80 % on them.
    const all = labelledCrops(datasetVal, size, Number.POSITIVE_INFINITY, config.seed);
    const logits = await networkLogits(model, all.crops, size);
    supervisedValidationAuc = aucOf(logits, all.labels);
    calibration = fitPlatt(logits, all.labels);
    calibratedOn = 'dataset-val';
  }
  const modelDir = join(outDir, 'model');
  await mkdir(modelDir, { recursive: true });
  await saveLayersModel(model, modelDir, {
    name: 'unmask-detector',
    version: new Date().toISOString().slice(0, 10),
    architecture,
    calibration,
    crop: { alignedSize: bank.size, margin: bank.margin, resampling: bank.resampling },
    training: {
      steps: state.step,
      validationAuc: sbiFinal.auc,
      supervisedValidationAuc,
      calibratedOn,
      // Footage groups by name; a labelled dataset's sources only by count (thousands of them).
      trainGroups: trainGroups.filter((g) => !datasetSources.has(g)),
      datasetTrainSources: datasetSources.size,
      validationGroups,
    },
  });
  model.dispose();
  optimizer.dispose();
  return {
    modelDir,
    steps: state.step,
    validationAuc: sbiFinal.auc,
    supervisedValidationAuc,
    calibration,
    calibratedOn,
    log: state.log,
    sessions: state.sessions,
    trainGroups,
    validationGroups,
  };
}
