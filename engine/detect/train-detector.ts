/**
 * Trains the detector on real faces only: each step takes faces from the bank, makes self-blended fakes on
 * worker threads, and fits both heads (manipulation logit + blend-boundary map). Validation uses held-out
 * identity groups with fixed seeds. Checkpoints every `checkpointEvery` steps; rerunning with the same
 * output folder resumes from the last checkpoint. Finally fits Platt calibration on the validation logits.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { loadLayersModel, saveLayersModel } from '../models/layers-model-io.ts';
import { loadOptimizerState, saveOptimizerState } from '../models/optimizer-state.ts';
import { initTensorflow, tf } from '../runtime/tensorflow.ts';
import { writeFileAtomic } from '../util/files.ts';
import type { ProgressListener } from '../util/progress.ts';
import { createRandom, shuffled, type Random } from '../util/random.ts';
import { cosineDecay, setOptimizerLearningRate } from '../learn/learning-rate.ts';
import { fitPlatt, type PlattCalibration } from './calibration.ts';
import {
  boundaryMapSize,
  buildDetectorNetwork,
  DEFAULT_DETECTOR_ARCHITECTURE,
  type DetectorArchitecture,
} from './detector-network.ts';
import { faceCropAt, type FaceBank } from './face-bank.ts';
import type { Resampling } from '../imaging/float-image.ts';
import { mirrorImage } from '../imaging/mirror.ts';
import { rocAuc } from './metrics.ts';
import { createPairProducer, packPairs, type PackedPairs, type PairItem } from './pair-producer.ts';

export interface TrainDetectorConfig {
  architecture: DetectorArchitecture;
  steps: number;
  /** Real faces per step; each also yields one fake, so the batch holds twice this many crops. */
  pairsPerStep: number;
  learningRate: number;
  /** Final learning rate as a fraction of the first (cosine decay). */
  finalLearningRateFraction: number;
  boundaryLossWeight: number;
  evalEvery: number;
  checkpointEvery: number;
  validationFraction: number;
  maxValidationFaces: number;
  seed: number;
  pairWorkers: number;
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
  learningRate: 2e-3,
  finalLearningRateFraction: 0.05,
  boundaryLossWeight: 2,
  evalEvery: 100,
  checkpointEvery: 100,
  validationFraction: 0.15,
  maxValidationFaces: 240,
  seed: 1,
  pairWorkers: 1,
  maxMinutes: Number.POSITIVE_INFINITY,
  knownFakesPerStep: 4,
};

export interface TrainingLogEntry {
  step: number;
  loss: number;
  classificationLoss: number;
  boundaryLoss: number;
  validationAuc?: number;
  learningRate: number;
  elapsedSec: number;
}

export interface TrainDetectorResult {
  modelDir: string;
  steps: number;
  validationAuc: number;
  calibration: PlattCalibration;
  log: TrainingLogEntry[];
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

/** Boundary targets of crops whose blend mask is unknown (known fakes): excluded from the boundary loss. */
const UNKNOWN_BOUNDARY = -1;

/** Real crops, their self-blends, then optional known fakes (label 1, boundary unknown). */
function batchTensors(packed: PackedPairs, size: number, mapSize: number, knownFakes?: Float32Array) {
  return tf.tidy(() => {
    const n = packed.count;
    const k = knownFakes ? knownFakes.length / (size * size * 3) : 0;
    const parts = [
      tf.tensor4d(packed.real, [n, size, size, 3]),
      tf.tensor4d(packed.fake, [n, size, size, 3]),
    ];
    const boundaries = [
      tf.zeros([n, mapSize, mapSize, 1]),
      tf.tensor4d(packed.boundary, [n, mapSize, mapSize, 1]),
    ];
    if (knownFakes && k > 0) {
      parts.push(tf.tensor4d(knownFakes, [k, size, size, 3]));
      boundaries.push(tf.fill([k, mapSize, mapSize, 1], UNKNOWN_BOUNDARY));
    }
    const x = tf.concat(parts).mul(2).sub(1);
    const labels = tf.concat([tf.zeros([n, 1]), tf.ones([n + k, 1])]);
    return { x, labels, boundary: tf.concat(boundaries) };
  });
}

/** Mean sigmoid cross-entropy over the cells whose target is known (≥ 0). */
export function maskedBoundaryLoss(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const mask = tf.cast(tf.greaterEqual(yTrue, 0), 'float32');
    const target = tf.maximum(yTrue, 0);
    // Stable BCE with logits: max(x, 0) − x·z + log(1 + e^(−|x|)).
    const bce = tf.add(
      tf.sub(tf.relu(yPred), tf.mul(yPred, target)),
      tf.log1p(tf.exp(tf.neg(tf.abs(yPred)))),
    );
    return tf.div(tf.sum(tf.mul(bce, mask)), tf.maximum(tf.sum(mask), 1)) as tf.Scalar;
  });
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

/** Validation AUC and a Platt calibration fitted on the held-out pairs' logits. */
export async function calibrateOnValidation(
  model: tf.LayersModel,
  validation: PackedPairs | undefined,
  architecture: DetectorArchitecture,
): Promise<{ auc: number; calibration: PlattCalibration }> {
  if (!validation) return { auc: Number.NaN, calibration: { method: 'platt', a: 1, b: 0 } };
  const { logits, labels } = await validationLogits(
    model,
    validation,
    architecture.inputSize,
    boundaryMapSize(architecture),
  );
  return {
    auc: rocAuc(logits.map((score, i) => ({ score, label: labels[i]! }))),
    calibration: fitPlatt(logits, labels),
  };
}

async function validationLogits(
  model: tf.LayersModel,
  packed: PackedPairs,
  size: number,
  mapSize: number,
): Promise<{ logits: number[]; labels: (0 | 1)[] }> {
  const logits: number[] = [];
  const labels: (0 | 1)[] = [];
  const chunk = 32;
  for (let start = 0; start < packed.count; start += chunk) {
    const end = Math.min(packed.count, start + chunk);
    const slice: PackedPairs = {
      count: end - start,
      real: packed.real.subarray(start * size * size * 3, end * size * size * 3),
      fake: packed.fake.subarray(start * size * size * 3, end * size * size * 3),
      boundary: packed.boundary.subarray(start * mapSize * mapSize, end * mapSize * mapSize),
    };
    const { x, labels: y, boundary } = batchTensors(slice, size, mapSize);
    const out = tf.tidy(() => (model.predict(x) as tf.Tensor[])[0]!.reshape([-1]));
    logits.push(...(await out.data()));
    labels.push(...((await y.data()) as unknown as number[]).map((v) => (v > 0.5 ? 1 : 0) as 0 | 1));
    tf.dispose([x, y, boundary, out]);
  }
  return { logits, labels };
}

interface CheckpointState {
  step: number;
  log: TrainingLogEntry[];
  config: Omit<TrainDetectorConfig, 'maxMinutes'>;
}

export async function trainDetector(
  bank: FaceBank,
  outDir: string,
  config: TrainDetectorConfig = DEFAULT_TRAIN_DETECTOR,
  onProgress: ProgressListener = () => undefined,
  signal?: AbortSignal,
  knownFakes?: FaceBank,
): Promise<TrainDetectorResult> {
  await initTensorflow();
  const { architecture } = config;
  const size = architecture.inputSize;
  const mapSize = boundaryMapSize(architecture);
  const checkpointDir = join(outDir, 'checkpoint');
  const split = splitByGroup(bank, config.validationFraction, config.seed);
  const trainGroups = [...new Set(split.train.map((i) => bank.entries[i]!.group))].sort();

  const validation = validationPairs(bank, split.validation, config);

  let model: tf.LayersModel;
  let state: CheckpointState = {
    step: 0,
    log: [],
    config: { ...config, maxMinutes: undefined } as CheckpointState['config'],
  };
  const resuming = existsSync(join(checkpointDir, 'state.json'));
  if (resuming) {
    state = JSON.parse(await readFile(join(checkpointDir, 'state.json'), 'utf8')) as CheckpointState;
    model = (await loadLayersModel(join(checkpointDir, 'model'))).model;
  } else {
    model = buildDetectorNetwork(architecture, config.seed);
  }
  const optimizer = tf.train.adam(config.learningRate);
  model.compile({
    optimizer,
    loss: [
      (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.losses.sigmoidCrossEntropy(yTrue, yPred),
      // tfjs has no lossWeights: the boundary head's weight is applied inside its loss.
      (yTrue: tf.Tensor, yPred: tf.Tensor) => maskedBoundaryLoss(yTrue, yPred).mul(config.boundaryLossWeight),
    ],
  });
  const setLearningRate = (value: number) => setOptimizerLearningRate(optimizer, value);
  if (resuming && existsSync(join(checkpointDir, 'optimizer.bin'))) {
    // Adam creates its slots on first use: run one zero-learning-rate step, then overwrite them.
    setLearningRate(0);
    const warm = batchTensors(
      packPairs(bank, [{ index: split.train[0]!, seed: 1 }], size, mapSize),
      size,
      mapSize,
    );
    await model.trainOnBatch(warm.x, [warm.labels, warm.boundary]);
    tf.dispose([warm.x, warm.labels, warm.boundary]);
    await loadOptimizerState(optimizer, join(checkpointDir, 'optimizer.bin'));
  }

  const producer = createPairProducer(bank, size, mapSize, config.pairWorkers);
  const random = createRandom(config.seed * 7919 + state.step);
  const fakeRandom = createRandom(config.seed * 31 + state.step);
  const nextItems = (): PairItem[] =>
    Array.from({ length: config.pairsPerStep }, () => ({
      index: random.pick(split.train),
      seed: random.int(1, 2 ** 31 - 1),
    }));

  const started = Date.now();
  const elapsedBefore = state.log.at(-1)?.elapsedSec ?? 0;
  const saveCheckpoint = async () => {
    await saveLayersModel(model, join(checkpointDir, 'model'));
    await saveOptimizerState(optimizer, join(checkpointDir, 'optimizer.bin'));
    await writeFileAtomic(join(checkpointDir, 'state.json'), JSON.stringify(state));
  };
  const evaluate = async (): Promise<{ auc: number; logits: number[]; labels: (0 | 1)[] }> => {
    if (!validation) return { auc: Number.NaN, logits: [], labels: [] };
    const { logits, labels } = await validationLogits(model, validation, size, mapSize);
    return { auc: rocAuc(logits.map((score, i) => ({ score, label: labels[i]! }))), logits, labels };
  };

  let pending = producer.produce(nextItems());
  try {
    while (state.step < config.steps) {
      if (signal?.aborted) break;
      if ((Date.now() - started) / 60000 > config.maxMinutes) break;
      const packed = await pending;
      pending = producer.produce(nextItems());
      const lr = cosineDecay(
        config.learningRate,
        state.step / config.steps,
        config.finalLearningRateFraction,
      );
      setLearningRate(lr);
      const extra =
        knownFakes && knownFakes.entries.length && config.knownFakesPerStep > 0
          ? knownFakeCrops(knownFakes, config.knownFakesPerStep, size, fakeRandom)
          : undefined;
      const { x, labels, boundary } = batchTensors(packed, size, mapSize, extra);
      const losses = (await model.trainOnBatch(x, [labels, boundary])) as number[];
      tf.dispose([x, labels, boundary]);
      state.step++;
      const entry: TrainingLogEntry = {
        step: state.step,
        loss: losses[0]!,
        classificationLoss: losses[1]!,
        boundaryLoss: losses[2]! / config.boundaryLossWeight,
        learningRate: lr,
        elapsedSec: elapsedBefore + (Date.now() - started) / 1000,
      };
      if (state.step % config.evalEvery === 0 || state.step === config.steps) {
        entry.validationAuc = (await evaluate()).auc;
      }
      state.log.push(entry);
      onProgress({
        stage: 'train',
        done: state.step,
        total: config.steps,
        detail: `loss ${entry.loss.toFixed(3)}${entry.validationAuc !== undefined ? ` · val AUC ${entry.validationAuc.toFixed(3)}` : ''}`,
      });
      if (state.step % config.checkpointEvery === 0) await saveCheckpoint();
    }
    await saveCheckpoint();
  } finally {
    await pending.catch(() => undefined);
    await producer.close();
  }

  const final = await calibrateOnValidation(model, validation, architecture);
  const calibration = final.calibration;
  const modelDir = join(outDir, 'model');
  await mkdir(modelDir, { recursive: true });
  await saveLayersModel(model, modelDir, {
    name: 'unmask-sbi-detector',
    version: new Date().toISOString().slice(0, 10),
    architecture,
    calibration,
    crop: { alignedSize: bank.size, margin: bank.margin, resampling: bank.resampling },
    training: {
      steps: state.step,
      validationAuc: final.auc,
      trainGroups,
      validationGroups: split.validationGroups,
    },
  });
  model.dispose();
  optimizer.dispose();
  if (state.step >= config.steps) await rm(checkpointDir, { recursive: true, force: true });
  return {
    modelDir,
    steps: state.step,
    validationAuc: final.auc,
    calibration,
    log: state.log,
    trainGroups,
    validationGroups: split.validationGroups,
  };
}
