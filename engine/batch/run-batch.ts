/**
 * The producer side of batch scanning, as one engine function the CLI and the app share: fingerprint the files,
 * queue one BullMQ job per distinct SHA-256, then gather results into the case library as they finish and return
 * the summary. Per-file status and overall progress are reported as events.
 *
 * Nothing is lost or counted twice, whatever happens in between:
 * - the job id is the SHA-256, so re-submitting (or a second path to the same bytes) finds the existing job;
 * - a finished scan is the job's return value in Redis, so it survives this process stopping; the next run of
 *   the same batch gathers it;
 * - a result is saved only when the case library has no case for that SHA-256 yet, so gathering twice (or a
 *   job scanned twice after a worker died) still gives one case;
 * - gathering polls job states rather than relying on events, so a Redis restart only delays it; a job that
 *   Redis lost (restart without persistence) is queued again under the same id.
 */
import { stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { Queue, type Job } from 'bullmq';
import { completeScan, type ScanResult } from '../scan/scan-result.ts';
import type { CaseStore } from '../store/case-store.ts';
import { UnmaskError } from '../util/errors.ts';
import { sha256File } from '../util/files.ts';
import {
  attemptsUsed,
  batchTotals,
  type BatchFileSource,
  type BatchSummary,
  type BatchSummaryRow,
  type BatchTotals,
} from './batch-summary.ts';
import { redisOptionsFor } from './queue-connection.ts';
import type { QueueAddress } from './queue-url.ts';
import {
  jobIdForSha256,
  SCAN_JOB_NAME,
  SCAN_JOB_VERSION,
  SCAN_QUEUE_NAME,
  scanJobProgressSchema,
  scanJobResultSchema,
  type BatchScanSettings,
  type ScanJobData,
} from './scan-job.ts';

/** What gathering needs of the case library (engine/store): look up by content, file a scan. */
export type CaseLibrary = Pick<CaseStore, 'findCasesBySha256' | 'saveScan'>;

export interface BatchOptions {
  address: QueueAddress;
  /** Absolute paths (see listBatchInputs). */
  files: readonly string[];
  settings: BatchScanSettings;
  /** BullMQ priority, 1 (first) … 2 097 151. */
  priority: number;
  /** Attempts per job before it fails (a worker dying mid-scan does not use one). */
  attempts: number;
  /** Queue failed jobs of earlier submissions again instead of reporting their old error. */
  retryFailed: boolean;
  library?: CaseLibrary;
  /** Time between sweeps over unfinished jobs. */
  pollIntervalMs: number;
  /** Give up (results stay in Redis; run again to resume) after Redis is unreachable this long. */
  queueTimeoutMs: number;
}

export const DEFAULT_BATCH_PRIORITY = 1000;
export const DEFAULT_BATCH_ATTEMPTS = 3;
/** First retry after 2 s, then 4 s, 8 s, … */
const RETRY_BACKOFF_MS = 2000;
/** Finished jobs stay in Redis this long, so re-submitting within it finds them (the case library does after). */
const KEEP_FINISHED_SECONDS = 30 * 24 * 3600;

/** What the app shows per file. */
export type BatchFileState =
  'hashing' | 'unreadable' | 'waiting' | 'active' | 'retrying' | 'completed' | 'failed';

export type BatchEvent =
  | { type: 'hashing'; done: number; total: number }
  | { type: 'submitted'; totals: BatchTotals }
  | {
      type: 'file';
      file: string;
      state: BatchFileState;
      /** Scan progress 0..1 while active. */
      fraction?: number;
      row: BatchSummaryRow;
    }
  | {
      type: 'progress';
      settled: number;
      total: number;
      active: number;
      failed: number;
      /** Workers connected to the queue now (0: jobs wait until one starts). */
      workers: number;
    }
  | { type: 'requeued'; jobId: string; reason: string }
  | { type: 'queue-unreachable'; seconds: number }
  | { type: 'queue-back' };

export type BatchEventListener = (event: BatchEvent) => void;

interface TrackedJob {
  jobId: string;
  data: ScanJobData;
  rows: BatchSummaryRow[];
  state: BatchFileState;
  fraction: number;
}

/** Waits `ms`, or less if `signal` aborts. */
const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });

function emptyRow(file: string, sha256: string | null, source: BatchFileSource): BatchSummaryRow {
  return {
    file,
    sha256,
    status: 'pending',
    verdict: null,
    score: null,
    caseId: null,
    error: null,
    attempts: 0,
    scannedBy: null,
    source,
  };
}

/** Runs `work` to the end, reporting every 2 s it takes; gives up after `limitMs` (Redis unreachable). */
async function waitOutQueue<T>(
  work: Promise<T>,
  limitMs: number,
  address: QueueAddress,
  onEvent: BatchEventListener,
): Promise<T> {
  const started = Date.now();
  let slow = false;
  work.catch(() => undefined);
  for (;;) {
    const done = await Promise.race([work.then(() => true), sleep(2000).then(() => false)]);
    if (done) {
      if (slow) onEvent({ type: 'queue-back' });
      return work;
    }
    slow = true;
    const waited = Date.now() - started;
    onEvent({ type: 'queue-unreachable', seconds: Math.round(waited / 1000) });
    if (waited > limitMs)
      throw new UnmaskError(
        'queueUnreachable',
        `The queue at ${address.display} has not answered for ${Math.round(waited / 1000)} s. Queued scans and ` +
          'finished results are kept in Redis: run the same command again to resume.',
      );
  }
}

export async function runBatch(
  options: BatchOptions,
  onEvent: BatchEventListener = () => undefined,
  signal?: AbortSignal,
): Promise<BatchSummary> {
  const startedAt = new Date().toISOString();
  const rows: BatchSummaryRow[] = [];
  const tracked = new Map<string, TrackedJob>();
  const emitFile = (row: BatchSummaryRow, state: BatchFileState, fraction?: number) =>
    onEvent({
      type: 'file',
      file: row.file,
      state,
      row: { ...row },
      ...(fraction !== undefined && { fraction }),
    });

  // 1. Fingerprint every file on this machine (workers check the same digest before scanning).
  const bySha = new Map<string, { sizeBytes: number; rows: BatchSummaryRow[] }>();
  for (const [index, file] of options.files.entries()) {
    if (signal?.aborted) throw new UnmaskError('cancelled', 'Batch cancelled while hashing.');
    onEvent({ type: 'hashing', done: index, total: options.files.length });
    try {
      const sha256 = await sha256File(file, signal);
      const { size } = await stat(file);
      const row = emptyRow(file, sha256, 'new-job');
      rows.push(row);
      const group = bySha.get(sha256) ?? { sizeBytes: size, rows: [] };
      group.rows.push(row);
      bySha.set(sha256, group);
    } catch (error) {
      if (signal?.aborted) throw new UnmaskError('cancelled', 'Batch cancelled while hashing.');
      const row = emptyRow(file, null, 'not-submitted');
      row.status = 'failed';
      row.error = `cannot read on the submitting machine: ${(error as Error).message}`;
      rows.push(row);
      emitFile(row, 'unreadable');
    }
  }
  onEvent({ type: 'hashing', done: options.files.length, total: options.files.length });

  const queue = new Queue(SCAN_QUEUE_NAME, { connection: redisOptionsFor(options.address) });
  queue.on('error', () => undefined); // connection trouble is reported by waitOutQueue
  const jobOptions = (jobId: string) => ({
    jobId,
    priority: options.priority,
    attempts: options.attempts,
    backoff: { type: 'exponential', delay: RETRY_BACKOFF_MS },
    removeOnComplete: { age: KEEP_FINISHED_SECONDS },
    removeOnFail: { age: KEEP_FINISHED_SECONDS },
  });
  const guard = <T>(work: Promise<T>) => waitOutQueue(work, options.queueTimeoutMs, options.address, onEvent);

  try {
    // 2. Submit: one job per distinct content, unless the library or the queue already has it.
    const submittedAt = new Date().toISOString();
    for (const [sha256, group] of bySha) {
      const found = options.library?.findCasesBySha256(sha256)[0];
      if (found) {
        for (const row of group.rows) {
          Object.assign(row, {
            status: 'completed',
            source: 'case-library',
            caseId: found.id,
            verdict: found.verdict.label,
            score: found.verdict.score,
          });
          emitFile(row, 'completed');
        }
        continue;
      }
      const jobId = jobIdForSha256(sha256);
      const data: ScanJobData = {
        version: SCAN_JOB_VERSION,
        path: group.rows[0]!.file,
        sha256,
        sizeBytes: group.sizeBytes,
        settings: options.settings,
        submittedBy: `${hostname()}:${process.pid}`,
        submittedAt,
      };
      const existing = await guard(queue.getJob(jobId));
      let source: BatchFileSource = 'new-job';
      if (existing) {
        source = 'existing-job';
        if (options.retryFailed && (await guard(existing.getState())) === 'failed') {
          // This submission's path and settings: the old path may be what failed.
          await guard(existing.updateData(data));
          await guard(existing.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true }));
        }
      } else {
        await guard(queue.add(SCAN_JOB_NAME, data, jobOptions(jobId)));
      }
      for (const row of group.rows) row.source = source;
      tracked.set(jobId, { jobId, data, rows: group.rows, state: 'waiting', fraction: 0 });
      for (const row of group.rows) emitFile(row, 'waiting');
    }
    onEvent({ type: 'submitted', totals: batchTotals(rows) });

    // 3. Gather: sweep the unfinished jobs until none is left.
    const pending = new Set(tracked.keys());
    const report = (workers: number) =>
      onEvent({
        type: 'progress',
        settled: rows.filter((r) => r.status !== 'pending').length,
        total: rows.length,
        active: [...tracked.values()].filter((t) => t.state === 'active').length,
        failed: rows.filter((r) => r.status === 'failed').length,
        workers,
      });
    const settle = (job: TrackedJob, patch: Partial<BatchSummaryRow>, state: BatchFileState) => {
      for (const row of job.rows) {
        Object.assign(row, patch);
        emitFile(row, state);
      }
      job.state = state;
      pending.delete(job.jobId);
    };
    const check = async (job: TrackedJob) => {
      // State first, then the job: a job read first could finish in between and look completed without its
      // result. Completed and failed are final, so a job read after them holds the result or the error.
      const state = await queue.getJobState(job.jobId);
      const found: Job | undefined = state === 'unknown' ? undefined : await queue.getJob(job.jobId);
      if (!found) {
        // Redis lost it (restarted without persistence, or the job aged out): queue it again, same id.
        await queue.add(SCAN_JOB_NAME, job.data, jobOptions(job.jobId));
        onEvent({ type: 'requeued', jobId: job.jobId, reason: 'the queue no longer had this job' });
        return;
      }
      const common = { attempts: attemptsUsed(state, found.attemptsMade ?? 0) };
      if (state === 'completed') {
        const result = scanJobResultSchema.safeParse(found.returnvalue);
        if (!result.success) {
          settle(
            job,
            {
              ...common,
              status: 'failed',
              error: `worker returned an invalid result: ${result.error.message}`,
            },
            'failed',
          );
          return;
        }
        const { scannedBy } = result.data;
        const scan = completeScan(result.data.scan);
        const caseId = saveOnce(options.library, scan, job.jobId, scannedBy);
        settle(
          job,
          {
            ...common,
            status: 'completed',
            verdict: scan.verdict.label,
            score: scan.verdict.score,
            caseId,
            scannedBy,
            error: null,
          },
          'completed',
        );
      } else if (state === 'failed') {
        settle(job, { ...common, status: 'failed', error: found.failedReason || 'failed' }, 'failed');
      } else {
        const progress = scanJobProgressSchema.safeParse(found.progress);
        const next: BatchFileState =
          state === 'active' ? 'active' : state === 'delayed' ? 'retrying' : 'waiting';
        const fraction = progress.success ? progress.data.fraction : 0;
        if (next !== job.state || fraction !== job.fraction) {
          job.state = next;
          job.fraction = fraction;
          for (const row of job.rows) {
            row.attempts = common.attempts;
            emitFile(row, next, next === 'active' ? fraction : undefined);
          }
        }
      }
    };
    while (pending.size > 0 && !signal?.aborted) {
      const batch = [...pending].map((id) => tracked.get(id)!);
      for (let i = 0; i < batch.length; i += 64) await guard(Promise.all(batch.slice(i, i + 64).map(check)));
      report(await guard(queue.getWorkersCount()));
      if (pending.size > 0) await sleep(options.pollIntervalMs, signal);
    }
  } finally {
    // close() waits for Redis; if it is down, do not hang on it.
    await Promise.race([queue.close().catch(() => undefined), sleep(2000)]);
    await queue.disconnect().catch(() => undefined);
  }
  return {
    format: 'unmask.batch-summary',
    formatVersion: 1,
    queue: options.address.display,
    startedAt,
    finishedAt: new Date().toISOString(),
    totals: batchTotals(rows),
    files: rows,
  };
}

/** Files a gathered scan unless the library already has these bytes (gathering twice keeps one case). */
function saveOnce(
  library: CaseLibrary | undefined,
  scan: ScanResult,
  jobId: string,
  scannedBy: string,
): string | null {
  if (!library) return null;
  const existing = library.findCasesBySha256(scan.input.sha256)[0];
  if (existing) return existing.id;
  return library.saveScan(scan, { notes: `batch job ${jobId}, scanned by ${scannedBy}` }).caseId;
}
