/**
 * `unmask batch <folder|file-list> --queue redis://…`: queues one scan per video for `unmask worker`s on any
 * machine, gathers the results as they finish and writes a CSV + JSON summary.
 */
import { basename } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { listBatchInputs } from '../batch/batch-inputs.ts';
import { summaryCsv, type BatchSummary } from '../batch/batch-summary.ts';
import { checkQueueServer, queueServerWarnings } from '../batch/queue-connection.ts';
import type { QueueAddress } from '../batch/queue-url.ts';
import {
  DEFAULT_BATCH_ATTEMPTS,
  DEFAULT_BATCH_PRIORITY,
  runBatch,
  type BatchEvent,
} from '../batch/run-batch.ts';
import { DEFAULT_BATCH_SCAN_SETTINGS, type BatchScanSettings } from '../batch/scan-job.ts';
import { openCaseStore } from '../store/case-store.ts';
import { defaultDataDir } from '../store/data-dir.ts';
import { UnmaskError } from '../util/errors.ts';
import { DATA_DIR_OPTION_HELP } from './cases-command.ts';
import { writeFileAtomic } from '../util/files.ts';
import { integerInRange, positiveInteger, positiveNumber, queueAddress } from './option-parsers.ts';
import { createProgressBar } from './progress-bar.ts';

interface BatchFlags {
  queue: QueueAddress;
  priority: number;
  attempts: number;
  retryFailed?: boolean;
  summary?: string;
  dataDir?: string;
  fps?: number;
  everyNth?: number;
  maxFrames?: number;
  minFace?: number;
  score: boolean;
  landmarks?: boolean;
  poll: number;
  queueTimeout: number;
}

/** `--summary out` (or out.csv / out.json) names both files: out.csv and out.json. */
export function summaryPaths(base: string): { csv: string; json: string } {
  const stem = base.replace(/\.(csv|json)$/i, '');
  return { csv: `${stem}.csv`, json: `${stem}.json` };
}

function defaultSummaryBase(): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `unmask-batch-${stamp}`;
}

/** Plain lines for logs and pipes (a terminal gets the progress bar instead). */
function describe(event: BatchEvent): string | undefined {
  switch (event.type) {
    case 'submitted': {
      const t = event.totals;
      return (
        `${t.files} files: ${t.newJobs} queued, ${t.existingJobs} already in the queue, ` +
        `${t.fromLibrary} already in the case library` +
        (t.failed ? `, ${t.failed} unreadable` : '')
      );
    }
    case 'file':
      if (event.state === 'completed' && event.row.source !== 'case-library')
        return `done ${basename(event.file)}: ${event.row.verdict}${event.row.score === null ? '' : ` (${event.row.score})`}`;
      if (event.state === 'failed') return `failed ${basename(event.file)}: ${event.row.error}`;
      return undefined;
    case 'requeued':
      return `queued ${event.jobId.slice(0, 19)}… again: ${event.reason}`;
    case 'queue-unreachable':
      return `waiting for the queue (${event.seconds} s without an answer)`;
    case 'queue-back':
      return 'the queue answers again';
    default:
      return undefined;
  }
}

async function writeSummary(summary: BatchSummary, base: string): Promise<{ csv: string; json: string }> {
  const paths = summaryPaths(base);
  await writeFileAtomic(paths.json, `${JSON.stringify(summary, null, 1)}\n`);
  await writeFileAtomic(paths.csv, summaryCsv(summary.files));
  return paths;
}

export function addBatchCommand(program: Command): void {
  program
    .command('batch')
    .description('scan many videos on `unmask worker`s through a Redis queue and summarise the verdicts')
    .argument('<source>', 'folder of videos (searched recursively), one video, or a text file listing paths')
    .requiredOption('--queue <url>', 'Redis address of the queue, e.g. redis://10.0.0.5:6379', queueAddress)
    .option(
      '--priority <n>',
      `queue priority, 1 = first (default ${DEFAULT_BATCH_PRIORITY})`,
      integerInRange(1, 2_097_151),
      DEFAULT_BATCH_PRIORITY,
    )
    .option(
      '--attempts <n>',
      'attempts per video before it is failed',
      positiveInteger,
      DEFAULT_BATCH_ATTEMPTS,
    )
    .option('--retry-failed', 'queue videos whose earlier job failed again')
    .option('--summary <file>', 'summary base name: writes <file>.csv and <file>.json')
    .option('--data-dir <dir>', DATA_DIR_OPTION_HELP)
    .option(
      '--fps <n>',
      `sampled frames per second (default ${DEFAULT_BATCH_SCAN_SETTINGS.fps})`,
      positiveNumber,
    )
    .option('--every-nth <n>', 'sample every Nth frame instead of a rate', positiveInteger)
    .option('--max-frames <n>', 'stop each scan after this many sampled frames', positiveInteger)
    .option('--min-face <px>', 'faces smaller than this are not judged', positiveNumber)
    .option('--no-score', 'find and track faces only; do not run the manipulation detector')
    .option('--landmarks', 'keep the 468 mesh points per face in each scan (larger results in Redis)')
    .option('--poll <sec>', 'how often to check on unfinished jobs', positiveNumber, 1)
    .option(
      '--queue-timeout <sec>',
      'give up after the queue has not answered this long (run again to resume)',
      positiveNumber,
      600,
    )
    .action(async (source: string, flags: BatchFlags) => {
      if (flags.everyNth && flags.fps)
        throw new InvalidArgumentError('--fps and --every-nth cannot be combined');
      const files = await listBatchInputs(source);
      const server = await checkQueueServer(flags.queue);
      for (const warning of queueServerWarnings(server)) process.stderr.write(`warning: ${warning}\n`);
      const settings: BatchScanSettings = {
        ...(flags.everyNth
          ? { everyNth: flags.everyNth }
          : { fps: flags.fps ?? DEFAULT_BATCH_SCAN_SETTINGS.fps }),
        ...(flags.maxFrames !== undefined && { maxFrames: flags.maxFrames }),
        ...(flags.minFace !== undefined && { minFaceSize: flags.minFace }),
        score: flags.score,
        landmarks: flags.landmarks ?? false,
      };
      const bar = createProgressBar();
      const interactive = process.stderr.isTTY;
      let warnedNoWorkers = false;
      const onEvent = (event: BatchEvent) => {
        if (
          event.type === 'progress' &&
          event.workers === 0 &&
          event.settled < event.total &&
          !warnedNoWorkers
        ) {
          warnedNoWorkers = true;
          bar.stop();
          process.stderr.write(
            `No worker is connected to ${flags.queue.display} yet: the jobs wait until one starts ` +
              '(unmask worker --queue …).\n',
          );
        }
        if (event.type === 'hashing') bar.listener({ stage: 'hash', done: event.done, total: event.total });
        if (event.type === 'progress')
          bar.listener({
            stage: 'scan',
            done: event.settled,
            total: event.total,
            detail: `${event.active} scanning, ${event.failed} failed`,
          });
        const line = interactive && event.type === 'file' ? undefined : describe(event);
        if (line) process.stderr.write(`${line}\n`);
      };
      const library = openCaseStore(flags.dataDir ?? defaultDataDir());
      const controller = new AbortController();
      const onSignal = () => controller.abort();
      process.once('SIGINT', onSignal);
      let summary: BatchSummary;
      try {
        summary = await runBatch(
          {
            address: flags.queue,
            files,
            settings,
            priority: flags.priority,
            attempts: flags.attempts,
            retryFailed: flags.retryFailed ?? false,
            library,
            pollIntervalMs: flags.poll * 1000,
            queueTimeoutMs: flags.queueTimeout * 1000,
          },
          onEvent,
          controller.signal,
        );
      } finally {
        bar.stop();
        process.off('SIGINT', onSignal);
        library.close();
      }
      const paths = await writeSummary(summary, flags.summary ?? defaultSummaryBase());
      const t = summary.totals;
      process.stderr.write(
        `${t.completed} of ${t.files} files scanned, ${t.failed} failed, ${t.pending} still queued. ` +
          `Summary: ${paths.csv}, ${paths.json}\n`,
      );
      if (t.pending > 0)
        throw new UnmaskError(
          'cancelled',
          `Stopped with ${t.pending} files still queued; run the same command again to gather them.`,
        );
      if (t.failed > 0)
        throw new UnmaskError(
          'batchHadFailures',
          `${t.failed} of ${t.files} files failed; see ${paths.csv}.`,
        );
    });
}
