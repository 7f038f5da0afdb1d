/** `unmask scan <video>`: finds and tracks every face and writes the versioned scan JSON. */
import { InvalidArgumentError, type Command } from 'commander';
import { DEFAULT_SCAN_OPTIONS, scanVideo } from '../scan/scan-video.ts';
import { writeFileAtomic } from '../util/files.ts';
import type { FrameSampling } from '../video/decode.ts';
import { createProgressBar } from './progress-bar.ts';

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a positive number');
  return n;
}

function positiveInteger(value: string): number {
  const n = positiveNumber(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('must be a number ≥ 0');
  return n;
}

interface ScanFlags {
  out?: string;
  fps?: number;
  everyNth?: number;
  maxFrames?: number;
  start?: number;
  end?: number;
  maxFaces?: number;
  landmarks: boolean;
}

export function addScanCommand(program: Command): void {
  program
    .command('scan')
    .description('find and track every face in a video and write the scan JSON')
    .argument('<video>', 'video file to scan')
    .option('-o, --out <file>', 'write the JSON here (default: standard output)')
    .option(
      '--fps <n>',
      `sampled frames per second (default ${DEFAULT_SCAN_OPTIONS.sampling.fps})`,
      positiveNumber,
    )
    .option('--every-nth <n>', 'sample every Nth frame instead of a rate', positiveInteger)
    .option('--max-frames <n>', 'stop after this many sampled frames', positiveInteger)
    .option('--start <sec>', 'start of the time range, seconds', nonNegativeNumber)
    .option('--end <sec>', 'end of the time range, seconds (exclusive)', positiveNumber)
    .option('--max-faces <n>', 'most faces per frame', positiveInteger)
    .option('--no-landmarks', 'omit the 468 mesh points per face (keypoints are kept)')
    .action(async (video: string, flags: ScanFlags) => {
      const sampling: FrameSampling = {
        ...(flags.everyNth
          ? { everyNth: flags.everyNth }
          : { fps: flags.fps ?? DEFAULT_SCAN_OPTIONS.sampling.fps }),
        ...(flags.maxFrames !== undefined && { maxFrames: flags.maxFrames }),
        ...(flags.start !== undefined && { startSec: flags.start }),
        ...(flags.end !== undefined && { endSec: flags.end }),
      };
      if (flags.everyNth && flags.fps)
        throw new InvalidArgumentError('--fps and --every-nth cannot be combined');
      const controller = new AbortController();
      const onSignal = () => controller.abort();
      process.once('SIGINT', onSignal);
      const bar = createProgressBar();
      try {
        const result = await scanVideo(
          video,
          {
            ...DEFAULT_SCAN_OPTIONS,
            sampling,
            includeLandmarks: flags.landmarks,
            faceDetector: flags.maxFaces ? { maxFaces: flags.maxFaces } : {},
          },
          { onProgress: bar.listener, signal: controller.signal },
        );
        bar.stop();
        const json = `${JSON.stringify(result, null, 1)}\n`;
        if (flags.out) {
          await writeFileAtomic(flags.out, json);
          process.stderr.write(`${result.summary.message}\nWrote ${flags.out}\n`);
        } else {
          process.stdout.write(json);
          process.stderr.write(`${result.summary.message}\n`);
        }
      } finally {
        bar.stop();
        process.off('SIGINT', onSignal);
      }
    });
}
