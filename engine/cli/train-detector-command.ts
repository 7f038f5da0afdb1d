/**
 * `unmask train-detector --real <dir>... --out <dir>`: builds a face bank from real videos/photos, trains the
 * detector on self-blended fakes, and writes weights, a model card and sha256 sums. Rerun the same command
 * to resume after a kill: the face bank and the last checkpoint in --out are reused.
 */
import { join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { cachedFaceBank } from '../detect/cached-face-bank.ts';
import { DEFAULT_DETECTOR_ARCHITECTURE } from '../detect/detector-network.ts';
import { writeModelCard } from '../detect/model-card.ts';
import {
  DEFAULT_TRAIN_DETECTOR,
  DEFAULT_TRAIN_RESAMPLING,
  trainDetector,
  type TrainDetectorConfig,
} from '../detect/train-detector.ts';
import type { Resampling } from '../imaging/float-image.ts';
import { initTensorflow } from '../runtime/tensorflow.ts';
import { writeFileAtomic } from '../util/files.ts';
import { positiveInteger, positiveNumber } from './option-parsers.ts';
import { createProgressBar } from './progress-bar.ts';

interface TrainFlags {
  real: string[];
  fake?: string[];
  out: string;
  steps: number;
  seed: number;
  inputSize: number;
  pairs: number;
  fps: number;
  workers: number;
  maxMinutes?: number;
  resampling: Resampling;
}

export function addTrainDetectorCommand(program: Command): void {
  program
    .command('train-detector')
    .description(
      'train the manipulation detector on real faces with self-blended fakes (no deepfake data needed)',
    )
    .requiredOption('--real <paths...>', 'folders or files of real videos and photos')
    .option(
      '--fake <paths...>',
      'folders or files of known manipulated videos/photos (optional; labelled fake, no mask)',
    )
    .requiredOption('--out <dir>', 'output folder (model, model card, checkpoints); reused to resume')
    .option('--steps <n>', 'training steps', positiveInteger, DEFAULT_TRAIN_DETECTOR.steps)
    .option('--seed <n>', 'random seed', positiveInteger, DEFAULT_TRAIN_DETECTOR.seed)
    .option(
      '--input-size <px>',
      'network input size (multiple of 32)',
      positiveInteger,
      DEFAULT_DETECTOR_ARCHITECTURE.inputSize,
    )
    .option('--pairs <n>', 'real/fake pairs per step', positiveInteger, DEFAULT_TRAIN_DETECTOR.pairsPerStep)
    .option('--fps <n>', 'frames per second sampled from videos for the face bank', positiveNumber, 2)
    .addOption(
      new Option(
        '--resampling <kind>',
        "how faces are resampled into crops: area averages each pixel's footprint, bilinear aliases when shrinking",
      )
        .choices(['area', 'bilinear'])
        .default(DEFAULT_TRAIN_RESAMPLING),
    )
    .option(
      '--workers <n>',
      'worker threads building self-blended pairs',
      positiveInteger,
      DEFAULT_TRAIN_DETECTOR.pairWorkers,
    )
    .option(
      '--max-minutes <n>',
      'stop training after this many minutes (a checkpoint is kept)',
      positiveNumber,
    )
    .action(async (flags: TrainFlags) => {
      const out = resolve(flags.out);
      const bar = createProgressBar();
      const controller = new AbortController();
      const onSignal = () => controller.abort();
      process.once('SIGINT', onSignal);
      try {
        const bank = await cachedFaceBank(
          'face-bank',
          flags.real,
          flags.fps,
          out,
          bar.listener,
          controller.signal,
          flags.resampling,
        );
        bar.stop();
        const knownFakes = flags.fake?.length
          ? await cachedFaceBank(
              'fake-bank',
              flags.fake,
              flags.fps,
              out,
              bar.listener,
              controller.signal,
              flags.resampling,
            )
          : undefined;
        bar.stop();
        const config: TrainDetectorConfig = {
          ...DEFAULT_TRAIN_DETECTOR,
          architecture: { ...DEFAULT_DETECTOR_ARCHITECTURE, inputSize: flags.inputSize },
          steps: flags.steps,
          seed: flags.seed,
          pairsPerStep: flags.pairs,
          pairWorkers: flags.workers,
          maxMinutes: flags.maxMinutes ?? Number.POSITIVE_INFINITY,
        };
        const backend = await initTensorflow();
        const result = await trainDetector(bank, out, config, bar.listener, controller.signal, knownFakes);
        bar.stop();
        await writeFileAtomic(
          join(out, 'training-log.jsonl'),
          result.log.map((e) => JSON.stringify(e)).join('\n') + '\n',
        );
        await writeModelCard({
          out,
          result,
          config,
          bank,
          backend: backend.backend,
          command: process.argv.slice(2),
        });
        const finished = result.steps >= config.steps;
        process.stderr.write(
          `${finished ? 'Trained' : 'Stopped at'} step ${result.steps}/${config.steps}; validation AUC ${result.validationAuc.toFixed(3)}. ` +
            `Model in ${result.modelDir}${finished ? '' : ' (rerun the same command to resume)'}\n`,
        );
      } finally {
        bar.stop();
        process.off('SIGINT', onSignal);
      }
    });
}
