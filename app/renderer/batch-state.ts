/**
 * The Batch screen's state: the one running (or last) batch, updated from host events whether or not the
 * screen is showing. Named app events (`batch-finished`, `batch-failed`) are recorded for the e2e suite.
 */
import type { AppEvents, BatchFileRow, JobError } from '../common/contract.ts';
import { signalAppEvent, unmask } from './api.ts';
import { createStore } from './store.ts';

export interface BatchRun {
  /** Null until the host has answered (its events can arrive first). */
  jobId: string | null;
  folder: string;
  status: 'running' | 'stopping' | 'finished' | 'failed';
  /** One row per file, in the order the files were listed. */
  rows: BatchFileRow[];
  progress: AppEvents['batch-progress'] | null;
  result: AppEvents['batch-finished'] | null;
  error: JobError | null;
}

export const batchStore = createStore<{ run: BatchRun | null }>({ run: null });

export function newBatchRun(folder: string): BatchRun {
  return { jobId: null, folder, status: 'running', rows: [], progress: null, result: null, error: null };
}

function updateRun(jobId: string, change: (run: BatchRun) => BatchRun): void {
  batchStore.update((s) =>
    s.run && (s.run.jobId === jobId || s.run.jobId === null) ? { run: change({ ...s.run, jobId }) } : s,
  );
}

/** Replaces the file's row, or adds it (files keep the order they first appeared in). */
function withRow(rows: BatchFileRow[], row: BatchFileRow): BatchFileRow[] {
  const index = rows.findIndex((r) => r.file === row.file);
  return index < 0 ? [...rows, row] : rows.map((r, i) => (i === index ? row : r));
}

export function connectBatchEvents(): () => void {
  const off = [
    unmask.on('batch-file', ({ jobId, row }) =>
      updateRun(jobId, (run) => ({ ...run, rows: withRow(run.rows, row) })),
    ),
    unmask.on('batch-progress', (progress) => updateRun(progress.jobId, (run) => ({ ...run, progress }))),
    unmask.on('batch-finished', (result) => {
      updateRun(result.jobId, (run) => ({ ...run, status: 'finished', result }));
      signalAppEvent('batch-finished', { ...result });
    }),
    unmask.on('batch-failed', ({ jobId, error }) => {
      updateRun(jobId, (run) => ({ ...run, status: 'failed', error }));
      signalAppEvent('batch-failed', { code: error.code, message: error.message });
    }),
  ];
  return () => off.forEach((unsubscribe) => unsubscribe());
}
