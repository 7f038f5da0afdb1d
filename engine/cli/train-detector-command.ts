/**
 * `unmask train-detector --faces <dataset>... --real <dir>... --out <dir>`: aligns the faces of labelled datasets
 * (real/fake pairs, see labelled-faces.ts) and builds a face bank from real videos/photos, trains the detector on
 * supervised pairs and self-blended fakes, and writes weights, a model card and sha256 sums. Rerun the same
 * command to resume after a kill: the face banks (in --cache, default --out) and the last checkpoint are reused.
 */
import { join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { cachedFaceBank, cachedLabelledFaceBanks } from '../detect/cached-face-bank.ts';
import { listVideoFiles } from '../detect/build-face-bank.ts';
import { mergeFaceBanks } from '../detect/face-bank.ts';
import {
  DEFAULT_LABELLED_FACES,
  LABELLED_FACES_CSV,
  type LabelledFaceBanks,
  type LabelledFacesOptions,
  type LabelledFacesReport,
} from '../detect/labelled-faces.ts';
import { DEFAULT_EXTRACT_FACES } from '../faces/extract-faces.ts';
import { UnmaskError } from '../util/errors.ts';
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
import { cachedReencodedCopies } from '../video/reencode.ts';
import {
  crfList,
  MAX_OUTSIDE_HELP,
  maxOutsideFraction,
  nonNegativeInteger,
  nonNegativeNumber,
  positiveInteger,
  positiveNumber,
} from './option-parsers.ts';
import { createProgressBar } from './progress-bar.ts';

interface TrainFlags {
  real?: string[];
  faces?: string[];
  cache?: string;
  reencodeReal?: number[];
  margin: number;
  maxOutside: number;
  supervisedPairs: number;
  backbone: 'plain' | 'mobilenet-v2';
  trainWorkers: number;
  learningRate: number;
  warmupSteps: number;
  rankingWeight: number;
  boundaryWeight: number;
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
      'train the manipulation detector on labelled real/deepfake face pairs and on self-blends of real faces',
    )
    .option('--real <paths...>', 'folders or files of real videos and photos (self-blend sources)')
    .option(
      '--faces <dirs...>',
      `labelled face-image datasets: a folder with ${LABELLED_FACES_CSV} (file, label, pair, split)`,
    )
    .option(
      '--reencode-real <crf...>',
      'also learn from H.264 copies of the --real videos at these CRFs (made once, kept in --cache), so that heavy video compression reads as real',
      crfList,
    )
    .option('--cache <dir>', 'where aligned face banks are cached (default: --out)')
    .option(
      '--margin <fraction>',
      'alignment margin of the crops (scans crop as the model was trained); negative = tighter than ArcFace',
      Number,
      DEFAULT_EXTRACT_FACES.margin,
    )
    .option(
      '--max-outside <fraction>',
      MAX_OUTSIDE_HELP,
      maxOutsideFraction,
      DEFAULT_LABELLED_FACES.maxOutside,
    )
    .option(
      '--supervised-pairs <n>',
      'labelled real/deepfake pairs per step (0 = self-blends only)',
      nonNegativeInteger,
      DEFAULT_TRAIN_DETECTOR.supervisedPairsPerStep,
    )
    .option(
      '--fake <paths...>',
      'folders or files of known manipulated videos/photos (optional; labelled fake, no mask)',
    )
    .requiredOption('--out <dir>', 'output folder (model, model card, checkpoints); reused to resume')
    .option('--steps <n>', 'training steps', positiveInteger, DEFAULT_TRAIN_DETECTOR.steps)
    .option('--seed <n>', 'random seed', positiveInteger, DEFAULT_TRAIN_DETECTOR.seed)
    .addOption(
      new Option(
        '--backbone <kind>',
        'plain: a small CNN from scratch; mobilenet-v2: initialised from the MobileNetV2 weights inside nsfwjs',
      )
        .choices(['plain', 'mobilenet-v2'])
        .default('plain'),
    )
    .option(
      '--train-workers <n>',
      'data-parallel training workers, one per core (mobilenet-v2 only; 1 trains in the main thread)',
      positiveInteger,
      DEFAULT_TRAIN_DETECTOR.trainWorkers,
    )
    .option(
      '--learning-rate <lr>',
      'peak Adam learning rate (cosine decay)',
      positiveNumber,
      DEFAULT_TRAIN_DETECTOR.learningRate,
    )
    .option(
      '--boundary-weight <w>',
      'weight of the blend-boundary loss (where a mask is known)',
      nonNegativeNumber,
      DEFAULT_TRAIN_DETECTOR.boundaryLossWeight,
    )
    .option(
      '--ranking-weight <w>',
      'weight of the paired ranking loss (a face scored below its own fake); 0 = off',
      nonNegativeNumber,
      DEFAULT_TRAIN_DETECTOR.rankingLossWeight,
    )
    .option(
      '--warmup-steps <n>',
      'steps of linear learning-rate warm-up (for the pretrained backbone)',
      nonNegativeInteger,
      DEFAULT_TRAIN_DETECTOR.warmupSteps,
    )
    .option(
      '--input-size <px>',
      'network input size (multiple of 32); a resumed run may change it, keeping its weights',
      positiveInteger,
      DEFAULT_DETECTOR_ARCHITECTURE.inputSize,
    )
    .option(
      '--pairs <n>',
      'self-blended pairs per step (0 = labelled pairs only)',
      nonNegativeInteger,
      DEFAULT_TRAIN_DETECTOR.pairsPerStep,
    )
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
      if (!flags.real?.length && !flags.faces?.length)
        throw new UnmaskError('usage', 'Give real footage (--real), a labelled dataset (--faces), or both.');
      if (!(flags.margin > -0.5 && flags.margin < 1))
        throw new UnmaskError('usage', '--margin must lie between -0.5 and 1.');
      const out = resolve(flags.out);
      const cache = resolve(flags.cache ?? flags.out);
      const bar = createProgressBar();
      const controller = new AbortController();
      const onSignal = () => controller.abort();
      process.once('SIGINT', onSignal);
      try {
        const bankOf = async (name: string, paths: string[] | undefined) => {
          if (!paths?.length) return undefined;
          const bank = await cachedFaceBank(
            name,
            paths,
            flags.fps,
            cache,
            bar.listener,
            controller.signal,
            flags.resampling,
            flags.margin,
          );
          bar.stop();
          return bank;
        };
        const reencodedReals = flags.reencodeReal?.length
          ? await cachedReencodedCopies(
              listVideoFiles((flags.real ?? []).map((p) => resolve(p))),
              flags.reencodeReal,
              join(cache, 'reencoded'),
              bar.listener,
              controller.signal,
            )
          : [];
        bar.stop();
        const reals = await bankOf(
          flags.margin === DEFAULT_EXTRACT_FACES.margin ? 'face-bank' : `face-bank${flags.margin}`,
          flags.real && [...flags.real, ...reencodedReals],
        );
        const knownFakes = await bankOf('fake-bank', flags.fake);
        const labelled = await labelledBanks(
          flags.faces ?? [],
          {
            ...DEFAULT_LABELLED_FACES,
            maxOutside: flags.maxOutside,
            extract: { ...DEFAULT_EXTRACT_FACES, margin: flags.margin, resampling: flags.resampling },
          },
          cache,
          bar,
          controller.signal,
        );
        const config: TrainDetectorConfig = {
          ...DEFAULT_TRAIN_DETECTOR,
          architecture: {
            ...DEFAULT_DETECTOR_ARCHITECTURE,
            inputSize: flags.inputSize,
            ...(flags.backbone === 'plain' ? {} : { backbone: flags.backbone }),
          },
          trainWorkers: flags.trainWorkers,
          learningRate: flags.learningRate,
          warmupSteps: flags.warmupSteps,
          rankingLossWeight: flags.rankingWeight,
          boundaryLossWeight: flags.boundaryWeight,
          steps: flags.steps,
          seed: flags.seed,
          pairsPerStep: flags.pairs,
          supervisedPairsPerStep: flags.supervisedPairs,
          pairWorkers: flags.workers,
          maxMinutes: flags.maxMinutes ?? Number.POSITIVE_INFINITY,
        };
        const backend = await initTensorflow();
        const data = { reals, knownFakes, labelled: labelled?.banks };
        const result = await trainDetector(data, out, config, bar.listener, controller.signal);
        bar.stop();
        await writeFileAtomic(
          join(out, 'training-log.jsonl'),
          result.log.map((e) => JSON.stringify(e)).join('\n') + '\n',
        );
        await writeModelCard({
          out,
          result,
          config,
          data,
          datasetReports: labelled?.reports ?? [],
          backend: backend.backend,
          command: process.argv.slice(2),
        });
        const finished = result.steps >= config.steps;
        process.stderr.write(
          `${finished ? 'Trained' : 'Stopped at'} step ${result.steps}/${config.steps}; validation AUC: self-blends ${result.validationAuc.toFixed(3)}, dataset ${result.supervisedValidationAuc.toFixed(3)}. ` +
            `Model in ${result.modelDir} (${finished ? 'rerun with a larger --steps to train on' : 'rerun the same command to resume'})\n`,
        );
      } finally {
        bar.stop();
        process.off('SIGINT', onSignal);
      }
    });
}

/** The labelled datasets' banks, merged split by split, and each dataset's report. */
async function labelledBanks(
  dirs: readonly string[],
  options: LabelledFacesOptions,
  cache: string,
  bar: ReturnType<typeof createProgressBar>,
  signal: AbortSignal,
): Promise<
  { banks: LabelledFaceBanks; reports: Array<{ dir: string; report: LabelledFacesReport }> } | undefined
> {
  if (!dirs.length) return undefined;
  const built = [];
  for (const dir of dirs) {
    built.push({ dir, ...(await cachedLabelledFaceBanks(dir, options, cache, bar.listener, signal)) });
    bar.stop();
  }
  const banks: LabelledFaceBanks = {};
  for (const split of ['train', 'val', 'test'] as const) {
    const parts = built.flatMap((b) => (b.banks[split] ? [b.banks[split]] : []));
    if (parts.length) banks[split] = mergeFaceBanks(parts);
  }
  return { banks, reports: built.map(({ dir, report }) => ({ dir, report })) };
}
