/**
 * Batch scanning from the app: the folder is listed here, then an engine process submits every video to the
 * Redis queue (engine/batch: one BullMQ job per distinct SHA-256) and gathers the workers' results into the
 * case library, reporting each file as it moves. Stopping ends the gathering only: queued jobs stay in Redis,
 * and submitting the same folder again picks them up without scanning anything twice.
 */
import { listBatchInputs } from '../../engine/batch/batch-inputs.ts';
import { parseQueueUrl } from '../../engine/batch/queue-url.ts';
import type { BatchEvent } from '../../engine/batch/run-batch.ts';
import { UnmaskError } from '../../engine/util/errors.ts';
import type { AppEvents, BatchFileRow, RequestHandlers, Settings } from '../common/contract.ts';
import { describe, EngineJobs, type EmitEvent, type EngineJobKind } from './engine-jobs.ts';
import type { EngineLauncher } from './engine-launcher.ts';

export const BATCH_JOB: EngineJobKind = {
  name: 'batch',
  answers: ['batch-done'],
  // Stopping waits for at most one poll of the queue.
  stopGraceMs: 15_000,
  answerAfterStop: true,
  crashMessage: (code) =>
    `The batch engine stopped unexpectedly (exit ${code ?? 'by signal'}). Queued scans and finished results are kept in Redis: submit the folder again to gather them.`,
};

/** The Batch screen's row for a file event of engine/batch. */
export function batchFileRow(event: Extract<BatchEvent, { type: 'file' }>): BatchFileRow {
  const { row } = event;
  return {
    file: event.file,
    state: event.state,
    fraction: event.fraction ?? null,
    verdict: row.verdict,
    score: row.score,
    caseId: row.caseId,
    error: row.error,
  };
}

type BatchProgress = AppEvents['batch-progress'];

export class BatchJobs {
  private readonly jobs: EngineJobs;

  constructor(
    private readonly dataDir: string,
    launch: EngineLauncher,
    private readonly emit: EmitEvent,
  ) {
    this.jobs = new EngineJobs(launch);
  }

  async start(
    request: Parameters<RequestHandlers['startBatch']>[0],
    settings: Settings,
  ): Promise<{ jobId: string; files: number }> {
    try {
      parseQueueUrl(request.queueUrl);
    } catch (error) {
      throw new UnmaskError('usage', `Redis URL: ${describe(error)}.`);
    }
    const files = await listBatchInputs(request.folder);
    const { emit } = this;
    const jobId = this.jobs.start(
      BATCH_JOB,
      {
        type: 'batch',
        dataDir: this.dataDir,
        files,
        queueUrl: request.queueUrl,
        priority: request.priority,
        settings: {
          fps: settings.sampleFps,
          ...(settings.maxFrames > 0 && { maxFrames: settings.maxFrames }),
          score: true,
          landmarks: false,
        },
      },
      (jobId) => {
        let last: BatchProgress = {
          jobId,
          stage: 'connecting',
          done: 0,
          total: files.length,
          active: 0,
          failed: 0,
          workers: null,
          notice: null,
        };
        const progress = (patch: Partial<BatchProgress>) =>
          emit('batch-progress', (last = { ...last, ...patch }));
        return {
          progress: (message) => {
            if (message.type !== 'batch-event') return;
            const event = message.event;
            switch (event.type) {
              case 'hashing':
                return progress({ stage: 'hashing', done: event.done, total: event.total });
              case 'file':
                emit('batch-file', { jobId, row: batchFileRow(event) });
                if (event.state === 'completed' && event.row.caseId && event.row.source !== 'case-library')
                  emit('cases-changed', { caseIds: [event.row.caseId] });
                return;
              case 'progress':
                return progress({
                  stage: 'scanning',
                  done: event.settled,
                  total: event.total,
                  active: event.active,
                  failed: event.failed,
                  workers: event.workers,
                  ...(last.notice?.startsWith('Waiting for the queue') ? {} : { notice: null }),
                });
              case 'queue-unreachable':
                return progress({ notice: `Waiting for the queue (${event.seconds} s without an answer)…` });
              case 'queue-back':
                return progress({ notice: null });
              case 'requeued':
                return progress({ notice: `A job was queued again: ${event.reason}.` });
              case 'submitted':
                return;
            }
          },
          done: (message) => {
            if (message.type !== 'batch-done') return;
            const { completed, failed, pending } = message.totals;
            emit('batch-finished', { jobId, completed, failed, pending, stopped: message.stopped });
          },
          failed: (error) => emit('batch-failed', { jobId, error }),
          cancelled: () =>
            emit('batch-finished', { jobId, completed: 0, failed: 0, pending: files.length, stopped: true }),
        };
      },
    );
    return { jobId, files: files.length };
  }

  stop(jobId: string): boolean {
    return this.jobs.stop(jobId, BATCH_JOB);
  }

  stopAll(): void {
    this.jobs.stopAll();
  }
}
