/**
 * Teaching the detector a new manipulation type without forgetting self-blends: the one recipe that both
 * `unmask learn` and the forgetting benchmark (bench/forgetting.ts) run, so that λ means the same in both.
 *
 *   - The old task is what the detector was trained on: real faces against their self-blends (SBI).
 *   - Ω is measured on the old task's inputs, unlabelled: real faces and one self-blend of each
 *     (`oldTaskInputs`), per sample, with F = both outputs (logit and boundary map), scaled to mean 1
 *     (`measureImportance`), and added to any earlier Ω.
 *   - Training is `learnWithMas` with `DEFAULT_CONTINUAL` (λ 1, Adam 1e-3, batches of 16, early stopping on
 *     the new task's validation AUC with the best weights kept, a step cap).
 *   - Faces are split by source file (`splitBySource`), so frames of one video never sit on two sides.
 *   - The learned weights get a new Platt calibration, fitted on both tasks' validation sources (the starting
 *     model's no longer describes them); without a validation split there is nothing held out to fit it on.
 */
import {
  DEFAULT_CONTINUAL,
  labelledSetFromPairs,
  learnWithMas,
  logitAuc,
  measureHebbianImportance,
  setLogits,
  type ContinualConfig,
  type ContinualResult,
  type LabelledSet,
} from '../learn/continual.ts';
import { disposeImportance, type MasAnchor } from '../learn/mas.ts';
import { tf } from '../runtime/tensorflow.ts';
import type { ProgressListener } from '../util/progress.ts';
import { createRandom, shuffled } from '../util/random.ts';
import { fitPlatt, type PlattCalibration } from './calibration.ts';
import { boundaryMapSize, toNetworkInput, type DetectorArchitecture } from './detector-network.ts';
import { faceCropAt, type FaceBank } from './face-bank.ts';
import { packPairs, type PairItem } from './pair-producer.ts';

/** `blends` pair items per face, each with its own seed (seedBase + k·blends + b). */
export function blendItems(faces: readonly number[], blends: number, seedBase: number): PairItem[] {
  return faces.flatMap((index, k) =>
    Array.from({ length: blends }, (_, b) => ({ index, seed: seedBase + k * blends + b })),
  );
}

/** The old task as a labelled set: each face (0) against `blends` self-blends of it (1), in [-1, 1]. */
export function selfBlendSet(
  bank: FaceBank,
  faces: readonly number[],
  blends: number,
  seedBase: number,
  architecture: DetectorArchitecture,
): LabelledSet {
  const packed = packPairs(
    bank,
    blendItems(faces, blends, seedBase),
    architecture.inputSize,
    boundaryMapSize(architecture),
  );
  return labelledSetFromPairs(packed, architecture.inputSize);
}

/**
 * The inputs Ω is measured on: up to `count` of `faces` (a fixed shuffle) and one self-blend of each,
 * unlabelled — the old task's training inputs. Holds 2 × min(count, faces.length) crops.
 */
export function oldTaskInputs(
  bank: FaceBank,
  faces: readonly number[],
  architecture: DetectorArchitecture,
  count = DEFAULT_CONTINUAL.importanceFaces,
): tf.Tensor {
  const chosen = shuffled(faces, createRandom(0x0a1e)).slice(0, count);
  return selfBlendSet(bank, chosen, 1, 5_000_000, architecture).x;
}

/** Bank crops at the network's input size, in [-1, 1]. */
export function faceCropsTensor(bank: FaceBank, faces: readonly number[], size: number): tf.Tensor {
  const data = new Float32Array(faces.length * size * size * 3);
  faces.forEach((index, k) => {
    const crop = faceCropAt(bank, index, size);
    data.set(crop.data, k * size * size * 3);
  });
  return tf.tidy(() => toNetworkInput(tf.tensor4d(data, [faces.length, size, size, 3])));
}

export interface SourceSplit {
  train: number[];
  validation: number[];
  test: number[];
}

/**
 * Faces split by source (`entry.group`, one per video or photo). With 3 or more sources a quarter (at least
 * one) goes to validation and a quarter to test; with 2, one goes to validation; with 1, all train.
 */
export function splitBySource(bank: FaceBank, seed: number): SourceSplit {
  const groups = shuffled([...new Set(bank.entries.map((e) => e.group))].sort(), createRandom(seed ^ 0x1ea2));
  const test = groups.length >= 3 ? Math.max(1, Math.round(groups.length / 4)) : 0;
  const validation = groups.length >= 3 ? test : Math.max(0, groups.length - 1);
  const side = new Map(
    groups.map((g, i): [string, keyof SourceSplit] => [
      g,
      i < validation ? 'validation' : i < validation + test ? 'test' : 'train',
    ]),
  );
  const split: SourceSplit = { train: [], validation: [], test: [] };
  bank.entries.forEach((e, i) => split[side.get(e.group)!].push(i));
  return split;
}

export type EvaluationSplit = 'test' | 'validation' | 'training';

export interface AucBeforeAfter {
  before: number;
  after: number;
}

export interface LearnManipulationReport {
  /** The trained run: Ω accumulated over this and earlier tasks, θ*, steps, best step, validation history. */
  result: ContinualResult;
  config: ContinualConfig;
  /** How many crops Ω was measured on (real faces and their self-blends). */
  importanceInputs: number;
  /** Whether a validation split existed for early stopping. */
  earlyStopping: boolean;
  /** The split the AUCs below were measured on: test when both kinds have 3+ sources. */
  evaluatedOn: EvaluationSplit;
  importance: ImportanceKind;
  /** Sources per side, for the report. */
  sources: { real: Record<keyof SourceSplit, number>; fake: Record<keyof SourceSplit, number> };
  /** Real faces against self-blends of them (`blends` per face). */
  oldTask: AucBeforeAfter & { faces: number; blends: number };
  /** Real faces against the new manipulation's faces. */
  newTask: AucBeforeAfter & { real: number; fake: number };
  /**
   * Platt calibration of the learned weights, fitted on the validation sources of both tasks (real faces, their
   * self-blends and the new fakes); undefined without a validation split. Each task brings its own labelled
   * set, so the real validation faces appear in both: once against the new fakes, once against their
   * self-blends. That is deliberate: it keeps reals and fakes about equal in the fit (2N reals against
   * N blends + M new fakes), where counting the reals once would tilt Platt's intercept towards "manipulated".
   */
  calibration?: PlattCalibration;
}

/** How Ω is measured: MAS (gradient of the squared output norm) or its local, Hebbian variant (mean |aᵢ·aⱼ|). */
export type ImportanceKind = 'mas' | 'hebbian';
export const IMPORTANCE_KINDS: readonly ImportanceKind[] = ['mas', 'hebbian'];

export interface LearnManipulationOptions {
  config?: ContinualConfig;
  /** 'mas' by default; either Ω is measured on the same old-task inputs and scaled to mean 1. */
  importance?: ImportanceKind;
  /** Ω and θ* of earlier tasks (the importance file beside the model); the new Ω is added to it. */
  previous?: MasAnchor;
  onProgress?: ProgressListener;
  /** Seed of the source split. */
  splitSeed?: number;
}

/** Platt calibration fitted on the logits of every sample of `sets`. */
export async function refitCalibration(
  model: tf.LayersModel,
  sets: readonly LabelledSet[],
): Promise<PlattCalibration> {
  const logits: number[] = [];
  const labels: (0 | 1)[] = [];
  for (const set of sets) {
    logits.push(...(await setLogits(model, set)));
    labels.push(...(set.y as (0 | 1)[]));
  }
  return fitPlatt(logits, labels);
}

/** Self-blends per held-out face in the old task's evaluation set. */
const EVALUATION_BLENDS = 2;

/** Seed base of the one self-blend per real validation face that the calibration refit uses. */
export const CALIBRATION_BLEND_SEED = 3_000_000;

/**
 * Teaches `model` (a detector of `architecture`) to flag `fake`'s faces against `real`'s with MAS, and
 * measures both tasks before and after on held-out sources.
 */
export async function learnManipulation(
  model: tf.LayersModel,
  architecture: DetectorArchitecture,
  real: FaceBank,
  fake: FaceBank,
  options: LearnManipulationOptions = {},
): Promise<LearnManipulationReport> {
  const { config = DEFAULT_CONTINUAL, previous, onProgress, splitSeed = 1, importance = 'mas' } = options;
  const size = architecture.inputSize;
  const realSplit = splitBySource(real, splitSeed);
  const fakeSplit = splitBySource(fake, splitSeed);
  const both = (key: keyof SourceSplit) => realSplit[key].length > 0 && fakeSplit[key].length > 0;
  const evaluatedOn: EvaluationSplit = both('test') ? 'test' : both('validation') ? 'validation' : 'training';
  const pick = (split: SourceSplit) => split[evaluatedOn === 'training' ? 'train' : evaluatedOn];
  const labelled = (r: readonly number[], f: readonly number[]): LabelledSet => ({
    x: tf.tidy(() => tf.concat([faceCropsTensor(real, r, size), faceCropsTensor(fake, f, size)])),
    y: [...r.map(() => 0), ...f.map(() => 1)],
  });
  const tensors: tf.Tensor[] = [];
  const keep = <T extends { x: tf.Tensor }>(set: T): T => {
    tensors.push(set.x);
    return set;
  };
  try {
    const oldEval = keep(selfBlendSet(real, pick(realSplit), EVALUATION_BLENDS, 1_000, architecture));
    const newTrain = keep(labelled(realSplit.train, fakeSplit.train));
    const validation = both('validation')
      ? keep(labelled(realSplit.validation, fakeSplit.validation))
      : undefined;
    const newEval =
      evaluatedOn === 'validation' ? validation! : keep(labelled(pick(realSplit), pick(fakeSplit)));
    const before = { old: await logitAuc(model, oldEval), new: await logitAuc(model, newEval) };
    const inputs = keep({ x: oldTaskInputs(real, realSplit.train, architecture, config.importanceFaces) }).x;
    // learnWithMas measures MAS Ω itself; the Hebbian Ω is measured here and handed over.
    const hebbian = importance === 'hebbian' ? measureHebbianImportance(model, inputs) : undefined;
    let result: ContinualResult;
    try {
      result = await learnWithMas(model, newTrain, hebbian ?? inputs, previous, config, {
        onProgress,
        validation,
      });
    } catch (error) {
      if (hebbian) disposeImportance(hebbian);
      throw error;
    }
    // Added to an earlier task's Ω, the Hebbian Ω was copied into a new map; otherwise it is the result's.
    if (hebbian && result.importance !== hebbian) disposeImportance(hebbian);
    const calibration = validation
      ? await refitCalibration(model, [
          validation,
          keep(selfBlendSet(real, realSplit.validation, 1, CALIBRATION_BLEND_SEED, architecture)),
        ])
      : undefined;
    const count = (split: SourceSplit, bank: FaceBank) => {
      const sources = (faces: number[]) => new Set(faces.map((i) => bank.entries[i]!.group)).size;
      return {
        train: sources(split.train),
        validation: sources(split.validation),
        test: sources(split.test),
      };
    };
    return {
      result,
      config,
      importanceInputs: inputs.shape[0]!,
      importance,
      earlyStopping: validation !== undefined,
      evaluatedOn,
      sources: { real: count(realSplit, real), fake: count(fakeSplit, fake) },
      oldTask: {
        before: before.old,
        after: await logitAuc(model, oldEval),
        faces: pick(realSplit).length,
        blends: EVALUATION_BLENDS,
      },
      newTask: {
        before: before.new,
        after: await logitAuc(model, newEval),
        real: pick(realSplit).length,
        fake: pick(fakeSplit).length,
      },
      calibration,
    };
  } finally {
    tf.dispose(tensors);
  }
}
