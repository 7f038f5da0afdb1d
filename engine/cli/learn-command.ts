/**
 * `unmask learn --real <paths> --fake <paths> --out <dir> [--lambda x]`: teaches the detector a new
 * manipulation type with Memory Aware Synapses and prints old-task (self-blends) and new-task AUC, before and
 * after, side by side. The importance Ω is stored beside the new weights and accumulates over later runs.
 */
import { existsSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { cachedFaceBank } from '../detect/cached-face-bank.ts';
import { detectorMetadataFrom, DEFAULT_DETECTOR_CONFIG } from '../detect/detector.ts';
import { faceCrop, type FaceBank } from '../detect/face-bank.ts';
import { DEFAULT_TRAIN_DETECTOR, splitByGroup, validationPairs } from '../detect/train-detector.ts';
import { resizeImage } from '../imaging/float-image.ts';
import {
  DEFAULT_CONTINUAL,
  labelledSetFromPairs,
  learnWithMas,
  logitAuc,
  type LabelledSet,
} from '../learn/continual.ts';
import { disposeImportance } from '../learn/mas.ts';
import { loadMasAnchor, saveMasAnchor } from '../learn/mas-io.ts';
import { loadLayersModel, saveLayersModel } from '../models/layers-model-io.ts';
import { initTensorflow, tf } from '../runtime/tensorflow.ts';
import { UnmaskError } from '../util/errors.ts';
import { nonNegativeNumber, positiveInteger, positiveNumber } from './option-parsers.ts';
import { createProgressBar } from './progress-bar.ts';

export const MAS_FILE = 'mas.bin';

interface LearnFlags {
  real: string[];
  fake: string[];
  out: string;
  lambda: number;
  steps: number;
  fps: number;
  model?: string;
}

/** Bank crops at the network input size, in [-1, 1]. */
function cropsTensor(bank: FaceBank, indices: readonly number[], size: number): tf.Tensor {
  const data = new Float32Array(indices.length * size * size * 3);
  indices.forEach((index, k) => {
    let crop = faceCrop(bank, index);
    if (crop.width !== size) crop = resizeImage(crop, size, size);
    data.set(crop.data, k * size * size * 3);
  });
  return tf.tidy(() => tf.tensor4d(data, [indices.length, size, size, 3]).mul(2).sub(1));
}

const fmt = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : 'n/a');

export function addLearnCommand(program: Command): void {
  program
    .command('learn')
    .description(
      'teach the detector a new manipulation type without forgetting the old ones (Memory Aware Synapses)',
    )
    .requiredOption('--real <paths...>', 'real videos or photos')
    .requiredOption('--fake <paths...>', 'videos or photos of the new manipulation type')
    .requiredOption('--out <dir>', 'where the updated model goes')
    .option(
      '--lambda <x>',
      'MAS penalty strength λ (0 = plain fine-tuning)',
      nonNegativeNumber,
      DEFAULT_CONTINUAL.lambda,
    )
    .option('--steps <n>', 'training steps on the new task', positiveInteger, DEFAULT_CONTINUAL.steps)
    .option('--fps <n>', 'frames per second sampled from videos', positiveNumber, 2)
    .option('--model <dir>', 'detector to start from (default: the shipped one)')
    .action(async (flags: LearnFlags) => {
      await initTensorflow();
      const source = resolve(flags.model ?? DEFAULT_DETECTOR_CONFIG.modelDir);
      const out = resolve(flags.out);
      const { model, manifest } = await loadLayersModel(source);
      const metadata = detectorMetadataFrom(manifest);
      const size = metadata.architecture.inputSize;
      const bar = createProgressBar();
      try {
        const real = await cachedFaceBank(
          'learn-real-bank',
          flags.real,
          flags.fps,
          out,
          bar.listener,
          new AbortController().signal,
        );
        const fake = await cachedFaceBank(
          'learn-fake-bank',
          flags.fake,
          flags.fps,
          out,
          bar.listener,
          new AbortController().signal,
        );
        bar.stop();
        if (real.entries.length < 4 || fake.entries.length < 4) {
          throw new UnmaskError(
            'inputNotFound',
            `Need at least 4 usable faces of each kind; found ${real.entries.length} real and ${fake.entries.length} fake.`,
          );
        }
        const realSplit = splitByGroup(real, 0.3, 1);
        const fakeSplit = splitByGroup(fake, 0.3, 1);
        // Old task: held-out real faces against their self-blends.
        const config = { ...DEFAULT_TRAIN_DETECTOR, architecture: metadata.architecture };
        const pairs = validationPairs(
          real,
          realSplit.validation.length ? realSplit.validation : realSplit.train,
          config,
        )!;
        const oldTask = labelledSetFromPairs(pairs, size);
        const set = (r: number[], f: number[]): LabelledSet => ({
          x: tf.concat([cropsTensor(real, r, size), cropsTensor(fake, f, size)]),
          y: [...r.map(() => 0), ...f.map(() => 1)],
        });
        const evalIdx = (split: { train: number[]; validation: number[] }) =>
          split.validation.length ? split.validation : split.train;
        const newTrain = set(realSplit.train, fakeSplit.train);
        const newEval = set(evalIdx(realSplit), evalIdx(fakeSplit));
        const before = { old: await logitAuc(model, oldTask), new: await logitAuc(model, newEval) };
        const previousPath = join(source, MAS_FILE);
        const previous = existsSync(previousPath) ? await loadMasAnchor(previousPath, model) : undefined;
        const importanceInputs = cropsTensor(
          real,
          realSplit.train.slice(0, DEFAULT_CONTINUAL.importanceSamples),
          size,
        );
        const anchor = await learnWithMas(
          model,
          newTrain,
          importanceInputs,
          previous,
          { ...DEFAULT_CONTINUAL, lambda: flags.lambda, steps: flags.steps },
          { onProgress: bar.listener },
        );
        bar.stop();
        const after = { old: await logitAuc(model, oldTask), new: await logitAuc(model, newEval) };
        const modelOut = join(out, 'model');
        await saveLayersModel(model, modelOut, {
          ...manifest.metadata,
          learnedTasks: [
            ...((manifest.metadata['learnedTasks'] as unknown[]) ?? []),
            { fake: flags.fake, lambda: flags.lambda, steps: flags.steps },
          ],
        });
        await saveMasAnchor(anchor, join(modelOut, MAS_FILE));
        if (existsSync(join(source, 'model-card.md')))
          await copyFile(join(source, 'model-card.md'), join(modelOut, 'model-card.md'));
        process.stdout.write(
          [
            `MAS continual learning, λ = ${flags.lambda}, ${flags.steps} steps`,
            '',
            '| task | AUC before | AUC after |',
            '|---|---|---|',
            `| old: self-blended fakes (${pairs.count} held-out pairs) | ${fmt(before.old)} | ${fmt(after.old)} |`,
            `| new: ${fake.entries.length} faces of the new manipulation | ${fmt(before.new)} | ${fmt(after.new)} |`,
            '',
            `Wrote ${modelOut} (with ${MAS_FILE}: importance accumulated over ${previous ? 'this and earlier tasks' : 'this task'}).`,
            '',
          ].join('\n'),
        );
        tf.dispose([oldTask.x, newTrain.x, newEval.x, importanceInputs]);
        disposeImportance(anchor.importance);
        disposeImportance(anchor.anchors);
      } finally {
        bar.stop();
        model.dispose();
      }
    });
}
