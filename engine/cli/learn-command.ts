/**
 * `unmask learn --real <paths> --fake <paths> --out <dir> [--lambda x] [--importance mas|hebbian]`: teaches
 * the detector a new manipulation type with Memory Aware Synapses — the forgetting benchmark's recipe
 * (detect/learn-manipulation.ts), so `--lambda` is on its scale — and prints old-task (self-blends) and new-task
 * AUC, before and after, side by side, on held-out sources. The importance Ω is stored beside the new weights and
 * accumulates over later runs.
 */
import { existsSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { cachedFaceBank } from '../detect/cached-face-bank.ts';
import { detectorMetadataFrom, DEFAULT_DETECTOR_CONFIG } from '../detect/detector.ts';
import {
  IMPORTANCE_KINDS,
  learnManipulation,
  type ImportanceKind,
  type LearnManipulationReport,
} from '../detect/learn-manipulation.ts';
import { DEFAULT_CONTINUAL } from '../learn/continual.ts';
import { disposeImportance, type MasAnchor } from '../learn/mas.ts';
import { loadMasAnchor, saveMasAnchor } from '../learn/mas-io.ts';
import { loadLayersModel, saveLayersModel } from '../models/layers-model-io.ts';
import { initTensorflow } from '../runtime/tensorflow.ts';
import { UnmaskError } from '../util/errors.ts';
import { nonNegativeNumber, positiveInteger, positiveNumber } from './option-parsers.ts';
import { createProgressBar } from './progress-bar.ts';

export const MAS_FILE = 'mas.bin';

interface LearnFlags {
  real: string[];
  fake: string[];
  out: string;
  lambda: number;
  importance: ImportanceKind;
  steps: number;
  fps: number;
  model?: string;
}

const fmt = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : 'n/a');

/** The printed summary: the recipe, how training ended, and both tasks' AUC before and after, side by side. */
export function formatLearnReport(report: LearnManipulationReport, previous: boolean): string {
  const { config, result, sources, oldTask, newTask } = report;
  const best = result.history.find((h) => h.step === result.bestStep);
  const split = (s: Record<'train' | 'validation' | 'test', number>) =>
    `${s.train} / ${s.validation} / ${s.test}`;
  const omega =
    report.importance === 'hebbian'
      ? 'Hebbian Ω (mean |aᵢ·aⱼ| of connected units)'
      : `MAS Ω of ${config.importanceOutputs === 'all' ? 'both outputs (logit and boundary map)' : 'the logit'}`;
  return [
    `MAS continual learning: λ = ${config.lambda}; ${omega} on ${report.importanceInputs} old-task inputs ` +
      `(${report.importanceInputs / 2} real faces and a self-blend of each), scaled to mean 1` +
      `${previous ? ' and added to the earlier tasks’ Ω' : ''}; Adam ${config.learningRate}, batches of ${config.batchSize}.`,
    `Sources (train / validation / test): real ${split(sources.real)}, fake ${split(sources.fake)}.`,
    report.earlyStopping
      ? `Trained ${result.steps} of at most ${config.steps} steps (${
          result.steps < config.steps
            ? `stopped after ${config.patience} validations without a gain`
            : 'the cap'
        }); kept step ${result.bestStep}, the best new-task validation AUC (${fmt(best?.validationAuc ?? Number.NaN)}).`
      : `No validation split (needs at least 2 sources of real and of fake faces): trained all ${result.steps} steps.`,
    report.calibration
      ? `Calibration refitted on the validation sources of both tasks: Platt a = ${report.calibration.a.toFixed(4)}, b = ${report.calibration.b.toFixed(4)}.`
      : 'Calibration kept from the starting model (nothing held out to refit it on): treat the probabilities with care.',
    '',
    `| task (${report.evaluatedOn} split${report.evaluatedOn === 'training' ? ', not held out' : ', held out'}) | faces | AUC before | AUC after |`,
    '|---|---|---|---|',
    `| old: real vs self-blends | ${oldTask.faces} real, ${oldTask.blends} self-blends each | ${fmt(oldTask.before)} | ${fmt(oldTask.after)} |`,
    `| new: real vs --fake | ${newTask.real} real + ${newTask.fake} fake | ${fmt(newTask.before)} | ${fmt(newTask.after)} |`,
  ].join('\n');
}

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
      'MAS penalty strength λ on Ω scaled to mean 1, as in the forgetting benchmark (0 = plain fine-tuning)',
      nonNegativeNumber,
      DEFAULT_CONTINUAL.lambda,
    )
    .addOption(
      new Option(
        '--importance <kind>',
        'how Ω is measured: mas (gradient of the squared output norm) or hebbian (its local variant)',
      )
        .choices(IMPORTANCE_KINDS)
        .default('mas'),
    )
    .option(
      '--steps <n>',
      'at most this many training steps (early stopping on held-out sources usually ends sooner)',
      positiveInteger,
      DEFAULT_CONTINUAL.steps,
    )
    .option('--fps <n>', 'frames per second sampled from videos', positiveNumber, 2)
    .option('--model <dir>', 'detector to start from (default: the shipped one)')
    .action(async (flags: LearnFlags) => {
      await initTensorflow();
      const source = resolve(flags.model ?? DEFAULT_DETECTOR_CONFIG.modelDir);
      const out = resolve(flags.out);
      const { model, manifest } = await loadLayersModel(source);
      const metadata = detectorMetadataFrom(manifest);
      const bar = createProgressBar();
      let previous: MasAnchor | undefined;
      try {
        // A mismatched importance file is refused before any face is extracted. Faces are cropped as the model's were.
        const previousPath = join(source, MAS_FILE);
        previous = existsSync(previousPath) ? await loadMasAnchor(previousPath, model) : undefined;
        const real = await cachedFaceBank(
          'learn-real-bank',
          flags.real,
          flags.fps,
          out,
          bar.listener,
          new AbortController().signal,
          metadata.crop.resampling,
          metadata.crop.margin,
        );
        const fake = await cachedFaceBank(
          'learn-fake-bank',
          flags.fake,
          flags.fps,
          out,
          bar.listener,
          new AbortController().signal,
          metadata.crop.resampling,
          metadata.crop.margin,
        );
        bar.stop();
        if (real.entries.length < 4 || fake.entries.length < 4) {
          throw new UnmaskError(
            'inputNotFound',
            `Need at least 4 usable faces of each kind; found ${real.entries.length} real and ${fake.entries.length} fake.`,
          );
        }
        const config = { ...DEFAULT_CONTINUAL, lambda: flags.lambda, steps: flags.steps };
        const report = await learnManipulation(model, metadata.architecture, real, fake, {
          config,
          importance: flags.importance,
          previous,
          onProgress: bar.listener,
        });
        bar.stop();
        const { result } = report;
        const modelOut = join(out, 'model');
        // The starting model's calibration no longer describes the learned weights: use the refitted one.
        const calibration = report.calibration ?? metadata.calibration;
        await saveLayersModel(model, modelOut, {
          ...manifest.metadata,
          calibration,
          learnedTasks: [
            ...((manifest.metadata['learnedTasks'] as unknown[]) ?? []),
            {
              fake: flags.fake,
              lambda: flags.lambda,
              importance: flags.importance,
              ...(flags.importance === 'mas' ? { importanceOutputs: config.importanceOutputs } : {}),
              maxSteps: flags.steps,
              steps: result.steps,
              bestStep: result.bestStep,
              calibration: report.calibration
                ? 'refitted on validation sources'
                : 'kept from the starting model',
            },
          ],
        });
        await saveMasAnchor(result, join(modelOut, MAS_FILE));
        if (existsSync(join(source, 'model-card.md')))
          await copyFile(join(source, 'model-card.md'), join(modelOut, 'model-card.md'));
        process.stdout.write(
          `${formatLearnReport(report, previous !== undefined)}\n\n` +
            `Wrote ${modelOut} (with ${MAS_FILE}: importance accumulated over ${previous ? 'this and earlier tasks' : 'this task'}).\n`,
        );
        disposeImportance(result.importance);
        disposeImportance(result.anchors);
      } finally {
        bar.stop();
        if (previous) {
          disposeImportance(previous.importance);
          disposeImportance(previous.anchors);
        }
        model.dispose();
      }
    });
}
