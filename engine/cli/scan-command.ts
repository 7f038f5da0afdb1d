/** `unmask scan <video>`: finds and tracks every face and writes the versioned scan JSON. */
import { InvalidArgumentError, type Command } from 'commander';
import { nonNegativeNumber, positiveInteger, positiveNumber } from './option-parsers.ts';
import { once } from 'node:events';
import { join } from 'node:path';
import { heatmapPanel } from '../imaging/heatmap.ts';
import { encodePng } from '../imaging/png.ts';
import { assertInputKept } from '../scan/assert-input-kept.ts';
import { scanJsonChunks } from '../scan/scan-json.ts';
import type { ScanRecord } from '../scan/scan-result.ts';
import {
  DEFAULT_SCAN_OPTIONS,
  scanVideoStreaming,
  type FlaggedFace,
  type StreamedScan,
} from '../scan/scan-video.ts';
import { UnmaskError } from '../util/errors.ts';
import { isSameFile, writeFileAtomic } from '../util/files.ts';
import type { FrameSampling } from '../video/decode.ts';
import { createProgressBar } from './progress-bar.ts';
import { DATA_DIR_OPTION_HELP } from './cases-command.ts';
import { openCaseStore } from '../store/case-store.ts';
import { defaultDataDir } from '../store/data-dir.ts';
import { provenanceOfScan } from '../store/provenance.ts';

interface ScanFlags {
  out?: string;
  fps?: number;
  everyNth?: number;
  maxFrames?: number;
  start?: number;
  end?: number;
  maxFaces?: number;
  landmarks: boolean;
  detector?: string;
  heatmaps?: string;
  minFace?: number;
  score: boolean;
  save: boolean;
  dataDir?: string;
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
    .option(
      '--heatmaps <dir>',
      'save a picture (crop | blend-boundary overlay, its range in the name) for every face at or above the inconclusive band',
    )
    .option('--detector <dir>', 'use the detector model in this folder instead of the shipped one')
    .option('--no-score', 'find and track faces only; do not run the manipulation detector')
    .option(
      '--min-face <px>',
      `faces smaller than this are not judged (default ${DEFAULT_SCAN_OPTIONS.minFaceSize})`,
      positiveNumber,
    )
    .option('--data-dir <dir>', DATA_DIR_OPTION_HELP)
    .option('--no-save', 'do not file the scan as a case in the case library')
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
      if (flags.out && isSameFile(flags.out, video))
        throw new UnmaskError(
          'usage',
          'The scan JSON would overwrite the video it scans; choose another --out.',
        );
      const controller = new AbortController();
      const onSignal = () => controller.abort();
      process.once('SIGINT', onSignal);
      // Opened before scanning, so a library this version cannot use fails fast, not after a long scan.
      const store = flags.save ? openCaseStore(flags.dataDir ?? defaultDataDir()) : undefined;
      const bar = createProgressBar();
      let scan: StreamedScan | undefined;
      try {
        scan = await scanVideoStreaming(
          video,
          {
            ...DEFAULT_SCAN_OPTIONS,
            sampling,
            includeLandmarks: flags.landmarks,
            minFaceSize: flags.minFace ?? DEFAULT_SCAN_OPTIONS.minFaceSize,
            scoreFaces: flags.score,
            faceDetector: flags.maxFaces ? { maxFaces: flags.maxFaces } : {},
            detector: flags.detector ? { modelDir: flags.detector } : {},
          },
          {
            onProgress: bar.listener,
            signal: controller.signal,
            ...(flags.heatmaps && {
              onFlaggedFace: async (face: FlaggedFace) => {
                const { picture, range } = heatmapPanel(face.crop, face.heatmap, face.mapSize);
                // The map's own range is in the name: the picture stretches it over the colour bar.
                const name =
                  `track-${face.trackId}-${face.timeSec.toFixed(2)}s-p${Math.round(face.probability * 100)}` +
                  `-map${range.min.toFixed(2)}-${range.max.toFixed(2)}.png`;
                await writeFileAtomic(join(flags.heatmaps!, name), encodePng(picture));
              },
            }),
          },
        );
        bar.stop();
        // The frames stay in the scan's log and are read back one at a time, for the JSON and for the case.
        const result: ScanRecord = { ...scan.head, frames: scan.frames };
        await assertInputKept(result);
        for (const tool of [result.engine.ffmpeg, result.engine.ffprobe])
          if (tool.warning) process.stderr.write(`Warning: ${tool.warning}\n`);
        const said = [result.summary.message, ...result.verdict.caveats.map((c) => `Caveat: ${c}`)].join(
          '\n',
        );
        if (flags.out) {
          await writeFileAtomic(flags.out, scanJsonChunks(result));
          process.stderr.write(`${said}\nWrote ${flags.out}\n`);
        } else {
          await writeToStdout(scanJsonChunks(result));
          process.stderr.write(`${said}\n`);
        }
        if (store) {
          const { caseId } = store.saveScan(result, { provenance: await provenanceOfScan(result) });
          process.stderr.write(`Saved as ${caseId}\n`);
        }
      } finally {
        bar.stop();
        scan?.frames.close();
        store?.close();
        process.off('SIGINT', onSignal);
      }
    });
}

/** Writes the chunks to standard output, waiting whenever its buffer is full (a pipe to a slow reader). */
async function writeToStdout(chunks: Iterable<string>): Promise<void> {
  for (const chunk of chunks) if (!process.stdout.write(chunk)) await once(process.stdout, 'drain');
}
