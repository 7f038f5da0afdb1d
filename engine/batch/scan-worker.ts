/**
 * The consumer side: a BullMQ worker that takes scan jobs, checks that the file at the job's path still has the
 * submitted SHA-256, runs `scanVideo` and returns the scan as the job's result. BullMQ does the distributed part:
 * locks (renewed while a scan runs), stalled-job recovery when a worker dies, retries with backoff, and the
 * failed state after the last attempt.
 *
 * Shutting down (`stop`) never takes new jobs, lets running scans finish for a grace period, then aborts them
 * and moves them back to the waiting list (no attempt used), so another worker picks them up.
 */
import { hostname } from 'node:os';
import { UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import { scanVideo } from '../scan/scan-video.ts';
import { isUnmaskError, type UnmaskErrorCode } from '../util/errors.ts';
import { sha256File } from '../util/files.ts';
import type { ProgressEvent } from '../util/progress.ts';
import { redisOptionsFor } from './queue-connection.ts';
import type { QueueAddress } from './queue-url.ts';
import {
  SCAN_JOB_VERSION,
  SCAN_QUEUE_NAME,
  scanJobDataSchema,
  scanOptionsFor,
  type ScanJobData,
  type ScanJobProgress,
  type ScanJobResult,
} from './scan-job.ts';

export interface ScanWorkerOptions {
  /** Jobs scanned at once in this process. */
  concurrency: number;
  /** How long a job's lock lasts without renewal; a dead worker's job is recovered after about this long. */
  lockDurationMs: number;
  /** How often this worker looks for stalled jobs (of any worker). */
  stalledIntervalMs: number;
  /** Times a job may be recovered from a dead worker before it is failed. */
  maxStalledCount: number;
}

export const DEFAULT_SCAN_WORKER_OPTIONS: ScanWorkerOptions = {
  concurrency: 1,
  lockDurationMs: 30_000,
  stalledIntervalMs: 30_000,
  maxStalledCount: 2,
};

export type ScanWorkerEvent =
  | { type: 'started'; jobId: string; path: string; attempt: number }
  | { type: 'completed'; jobId: string; path: string; message: string; seconds: number }
  | { type: 'failed'; jobId: string; path: string; error: string; attempt: number; final: boolean }
  | { type: 'released'; jobId: string; path: string }
  | { type: 'queue-error'; message: string };

export interface ScanWorker {
  /** `host:pid`, recorded in each result. */
  readonly id: string;
  /** Stops taking jobs; waits up to `graceMs` for running scans, then releases them to other workers. */
  stop(graceMs: number): Promise<void>;
  /** Releases running scans now (e.g. on a second Ctrl-C) if a `stop` is waiting. */
  releaseNow(): void;
}

/**
 * Input errors that no retry can fix: the job fails at once instead of after N attempts. A missing file is not
 * among them, because shared storage can be briefly unavailable on one machine.
 */
const PERMANENT_INPUT_ERRORS: ReadonlySet<UnmaskErrorCode> = new Set([
  'inputIsDirectory',
  'inputEmpty',
  'inputNotMedia',
  'inputTruncated',
  'inputNoVideoStream',
  'inputIsStillImage',
  'inputTooLarge',
]);

/** At most one progress write to Redis per this many ms (plus every stage change). */
const PROGRESS_INTERVAL_MS = 1000;

function progressWriter(job: Job): (event: ProgressEvent) => void {
  let lastStage = '';
  let lastAt = 0;
  return (event) => {
    const now = Date.now();
    if (event.stage === lastStage && now - lastAt < PROGRESS_INTERVAL_MS) return;
    lastStage = event.stage;
    lastAt = now;
    const fraction = event.total ? Math.min(1, event.done / event.total) : 0;
    const progress: ScanJobProgress = {
      stage: event.stage,
      done: event.done,
      ...(event.total !== undefined && { total: event.total }),
      fraction,
    };
    // Progress is advisory: a Redis hiccup must not fail the scan.
    job.updateProgress(progress).catch(() => undefined);
  };
}

async function verifyInput(data: ScanJobData, signal: AbortSignal): Promise<void> {
  let actual: string;
  try {
    actual = await sha256File(data.path, signal);
  } catch (error) {
    if (signal.aborted) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw new Error(
        `${data.path} does not exist on worker ${hostname()}: is the shared storage mounted at the same path?`,
      );
    throw error;
  }
  if (actual !== data.sha256)
    throw new UnrecoverableError(
      `${data.path} changed since it was submitted (SHA-256 ${actual.slice(0, 12)}…, submitted ${data.sha256.slice(0, 12)}…)`,
    );
}

export async function startScanWorker(
  address: QueueAddress,
  options: ScanWorkerOptions = DEFAULT_SCAN_WORKER_OPTIONS,
  onEvent: (event: ScanWorkerEvent) => void = () => undefined,
): Promise<ScanWorker> {
  const id = `${hostname()}:${process.pid}`;
  const paths = new Map<string, string>();

  // Three parameters: BullMQ passes an abort signal only to processors that declare it.
  const processScanJob = async (job: Job, token: string | undefined, signal?: AbortSignal) => {
    const parsed = scanJobDataSchema.safeParse(job.data);
    if (!parsed.success)
      throw new UnrecoverableError(
        `job ${job.id} is not a version-${SCAN_JOB_VERSION} scan job: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
      );
    const data = parsed.data;
    const abort = signal ?? new AbortController().signal;
    paths.set(job.id!, data.path);
    onEvent({ type: 'started', jobId: job.id!, path: data.path, attempt: job.attemptsMade + 1 });
    const started = performance.now();
    try {
      await verifyInput(data, abort);
      const scan = await scanVideo(data.path, scanOptionsFor(data.settings), {
        onProgress: progressWriter(job),
        signal: abort,
      });
      if (scan.input.sha256 !== data.sha256)
        throw new UnrecoverableError(`${data.path} changed while it was being scanned`);
      onEvent({
        type: 'completed',
        jobId: job.id!,
        path: data.path,
        message: scan.summary.message,
        seconds: (performance.now() - started) / 1000,
      });
      const result: ScanJobResult = { version: SCAN_JOB_VERSION, scannedBy: id, scan };
      return result;
    } catch (error) {
      if (abort.aborted) {
        // Released, not failed: back to the waiting list without using an attempt.
        await job.moveToWait(token);
        onEvent({ type: 'released', jobId: job.id!, path: data.path });
        throw new WaitingError();
      }
      if (isUnmaskError(error) && PERMANENT_INPUT_ERRORS.has(error.code))
        throw new UnrecoverableError(error.message);
      throw error;
    }
  };

  const worker = new Worker(SCAN_QUEUE_NAME, processScanJob, {
    connection: redisOptionsFor(address),
    concurrency: options.concurrency,
    lockDuration: options.lockDurationMs,
    stalledInterval: options.stalledIntervalMs,
    maxStalledCount: options.maxStalledCount,
    autorun: false,
  });
  worker.on('failed', (job, error) => {
    if (!job) return;
    const attempts = job.opts.attempts ?? 1;
    const final = error.name === 'UnrecoverableError' || job.attemptsMade >= attempts;
    onEvent({
      type: 'failed',
      jobId: job.id!,
      path: paths.get(job.id!) ?? String((job.data as { path?: unknown }).path),
      error: error.message,
      attempt: job.attemptsMade,
      final,
    });
  });
  worker.on('error', (error) => onEvent({ type: 'queue-error', message: error.message }));
  await worker.waitUntilReady();
  const running = worker.run();
  running.catch((error: unknown) =>
    onEvent({ type: 'queue-error', message: error instanceof Error ? error.message : String(error) }),
  );

  let releaseTimer: NodeJS.Timeout | undefined;
  const releaseNow = () => {
    if (releaseTimer) clearTimeout(releaseTimer);
    worker.cancelAllJobs('worker shutting down');
  };
  return {
    id,
    releaseNow,
    async stop(graceMs) {
      releaseTimer = setTimeout(releaseNow, graceMs);
      try {
        await worker.close();
      } finally {
        clearTimeout(releaseTimer);
      }
    },
  };
}
