/**
 * `unmask swap train|render|eval`: the research studio's face swap. Every subcommand that writes anything
 * requires --consent; the watermark and the AI-generated metadata of rendered videos cannot be switched off.
 */
import { Option, type Command } from 'commander';
import { requireConsent } from '../swap/consent.ts';
import { DEFAULT_MIN_TRAINING_FACES, openSwapProject } from '../swap/create-project.ts';
import { defaultSwapArchitecture, type SwapFaceSize, type SwapModelKind } from '../swap/swap-architecture.ts';
import { DEFAULT_TRAIN_SWAP, trainSwapModel } from '../swap/train-swap.ts';
import { renderSwap } from '../swap/render-swap.ts';
import { evaluateSwap } from '../swap/evaluate-swap.ts';
import { writeFileAtomic } from '../util/files.ts';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Identity } from '../swap/swap-networks.ts';
import { positiveInteger, positiveNumber } from './option-parsers.ts';
import { createProgressBar } from './progress-bar.ts';

interface TrainFlags {
  a: string[];
  b: string[];
  out: string;
  consent?: string;
  steps?: number;
  minutes?: number;
  model: SwapModelKind;
  size: string;
  seed: number;
  batch: number;
  lr: number;
  cycle: boolean;
  fps: number;
  minFaces: number;
  previewEvery: number;
  checkpointEvery: number;
  workers: number;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** SIGINT aborts the controller (the engine then saves and stops); a second SIGINT exits at once. */
export function abortOnSigint(): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write('\nStopping after this step (Ctrl-C again to quit at once)…\n');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  return { signal: controller.signal, release: () => process.off('SIGINT', onSignal) };
}

export function addSwapCommand(program: Command): void {
  const swap = program
    .command('swap')
    .description(
      'research studio: train a two-identity face-swap autoencoder and render labelled swaps (consent required)',
    );

  swap
    .command('train')
    .description('extract faces of A and B, then train (or resume) a swap model in a project folder')
    .option('--a <path>', 'video, image or folder of identity A (repeatable)', collect, [])
    .option('--b <path>', 'video, image or folder of identity B (repeatable)', collect, [])
    .requiredOption('--out <project>', 'project folder (created, or resumed when it already holds a project)')
    .option('--consent <statement>', 'who consented, and to what (required; stored in the project)')
    .option(
      '--steps <n>',
      `train until the project has done this many steps (default ${DEFAULT_TRAIN_SWAP.steps})`,
      positiveInteger,
    )
    .option('--minutes <m>', 'stop this run after this many minutes', positiveNumber)
    .addOption(
      new Option('--model <kind>', 'template autoencoder or UNIT-style shared latent')
        .choices(['template', 'unit'])
        .default('template'),
    )
    .addOption(new Option('--size <px>', 'aligned face size').choices(['64', '128']).default('64'))
    .option('--seed <n>', 'random seed', positiveInteger, 1)
    .option('--batch <n>', 'faces per identity per step', positiveInteger, 8)
    .option('--lr <rate>', 'Adam learning rate', positiveNumber, 5e-4)
    .option('--cycle', 'UNIT only: add the cycle reconstruction loss (about 2× slower)', false)
    .option('--fps <n>', 'frames sampled per second of video when extracting', positiveNumber, 8)
    .option(
      '--min-faces <n>',
      'fewest usable training faces per identity',
      positiveInteger,
      DEFAULT_MIN_TRAINING_FACES,
    )
    .option(
      '--preview-every <n>',
      'write a preview grid every N steps',
      positiveInteger,
      DEFAULT_TRAIN_SWAP.previewEvery,
    )
    .option(
      '--checkpoint-every <n>',
      'checkpoint every N steps',
      positiveInteger,
      DEFAULT_TRAIN_SWAP.checkpointEvery,
    )
    .option(
      '--workers <n>',
      'worker threads sharing each step (data-parallel; 1 trains in the main thread)',
      positiveInteger,
      availableParallelism(),
    )
    .action(async (flags: TrainFlags) => {
      const consent = requireConsent(flags.consent, 'train a face-swap model');
      const architecture = defaultSwapArchitecture(flags.model, Number(flags.size) as SwapFaceSize);
      if (flags.cycle && flags.model !== 'unit')
        process.stderr.write('unmask: --cycle applies to --model unit only; ignored.\n');
      const { signal, release } = abortOnSigint();
      const bar = createProgressBar();
      try {
        const opened = await openSwapProject({
          dir: flags.out,
          inputs: { a: flags.a, b: flags.b },
          consent,
          architecture,
          seed: flags.seed,
          batchSize: flags.batch,
          learningRate: flags.lr,
          cycle: flags.cycle && flags.model === 'unit',
          faceSet: { sampling: { fps: flags.fps } },
          minTrainingFaces: flags.minFaces,
          onProgress: bar.listener,
          signal,
        });
        bar.stop();
        const ids = opened.project.identities;
        process.stderr.write(
          `${opened.created ? 'Created' : 'Resuming'} ${flags.out}: ${opened.project.architecture.kind} ${opened.project.architecture.size} px, A ${ids.a.faces} faces (${ids.a.heldOut} held out), B ${ids.b.faces} faces (${ids.b.heldOut} held out).\n`,
        );
        const result = await trainSwapModel(flags.out, {
          steps: flags.steps ?? DEFAULT_TRAIN_SWAP.steps,
          maxMinutes: flags.minutes ?? Number.POSITIVE_INFINITY,
          previewEvery: flags.previewEvery,
          checkpointEvery: flags.checkpointEvery,
          workers: flags.workers,
          signal,
          onProgress: bar.listener,
          onLog: (entry, total) => {
            if (process.stderr.isTTY) return;
            process.stderr.write(
              `step ${entry.step}/${total} loss ${entry.loss.toFixed(4)} (A ${entry.lossA.toFixed(4)}, B ${entry.lossB.toFixed(4)}) ${(entry.elapsedSec / 60).toFixed(1)} min\n`,
            );
          },
        });
        bar.stop();
        process.stderr.write(
          `Trained to step ${result.steps} (${result.stepsThisRun} this run, ${result.stepsPerSecond.toFixed(2)} steps/s, stopped by ${result.stoppedBy}); last loss ${result.lastLoss.toFixed(4)}.\n` +
            (result.previewPath ? `Preview: ${result.previewPath}\n` : ''),
        );
      } finally {
        bar.stop();
        release();
      }
    });

  swap
    .command('render')
    .description(
      're-render a video of one identity with the other identity’s face (watermarked, tagged AI-generated)',
    )
    .requiredOption('--project <dir>', 'trained swap project')
    .requiredOption('--input <video>', 'video showing the other identity')
    .addOption(
      new Option('--to <identity>', 'identity to paint in').choices(['a', 'b']).makeOptionMandatory(),
    )
    .requiredOption('--out <video>', 'output video (.mp4, .mov or .mkv)')
    .option('--consent <statement>', 'who consented, and to what (required; written into the output)')
    .action(
      async (flags: { project: string; input: string; to: Identity; out: string; consent?: string }) => {
        const consent = requireConsent(flags.consent, 'render a face swap');
        const { signal, release } = abortOnSigint();
        const bar = createProgressBar();
        try {
          const result = await renderSwap({
            projectDir: flags.project,
            input: flags.input,
            output: flags.out,
            to: flags.to,
            consent,
            onProgress: bar.listener,
            signal,
          });
          bar.stop();
          process.stderr.write(
            `Rendered ${result.frames} frames (${result.swappedFrames} swapped, ${result.unchangedFrames} without a face kept) to ${result.output}, watermarked "SYNTHETIC" and tagged ai_generated=true.\n`,
          );
        } finally {
          bar.stop();
          release();
        }
      },
    );

  swap
    .command('eval')
    .description(
      'measure a trained project on its held-out faces: reconstruction SSIM, identity transfer, forensic AUC',
    )
    .requiredOption('--project <dir>', 'trained swap project')
    .option('--json', 'print the evaluation as JSON')
    .action(async (flags: { project: string; json?: boolean }) => {
      const bar = createProgressBar();
      try {
        const result = await evaluateSwap(flags.project, bar.listener);
        bar.stop();
        await writeFileAtomic(join(flags.project, 'eval.json'), `${JSON.stringify(result, null, 2)}\n`);
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
          return;
        }
        const pct = (v: number) => `${(v * 100).toFixed(0)} %`;
        process.stdout.write(
          `${result.model}, ${result.steps} steps; held-out faces A ${result.heldOutFaces.a}, B ${result.heldOutFaces.b}\n`,
        );
        for (const x of ['a', 'b'] as const) {
          const t = result.identityTransfer[x];
          const inner = result.innerFaceIdentityTransfer[x];
          process.stdout.write(
            `${x.toUpperCase()}: reconstruction SSIM (face hull) ${result.reconstructionSsim[x].toFixed(3)}; swaps ${x.toUpperCase()}→${x === 'a' ? 'B' : 'A'} closer to the target identity ${pct(t.swapsCloserToTarget)} (whole crop), ${pct(inner.swapsCloserToTarget)} (inner face); reconstructions closer to self ${pct(t.reconstructionsCloserToSelf)} / ${pct(inner.reconstructionsCloserToSelf)}\n`,
          );
        }
        const f = result.forensic;
        process.stdout.write(
          `Recogniser: the two identity centroids have cosine ${result.centroidCosine.toFixed(3)}.\n` +
            `Reconstruction error as a forensic signal: AUC ${f.auc.toFixed(3)} (real ${f.real} faces, mean error ${f.realMeanError.toFixed(3)}; swapped ${f.fake}, mean error ${f.fakeMeanError.toFixed(3)}).\n` +
            `Wrote ${join(flags.project, 'eval.json')}\n`,
        );
      } finally {
        bar.stop();
      }
    });
}
