/**
 * The batch summary: one row per submitted file (file, verdict, score, case id, error, …), as JSON and CSV.
 * Pure: building and formatting only; the caller writes the files atomically.
 */

export type BatchFileStatus = 'completed' | 'failed' | 'pending';

/** How a file's result was obtained. */
export type BatchFileSource =
  | 'new-job' // this batch queued it
  | 'existing-job' // an earlier submission of the same bytes was already queued or done
  | 'case-library' // the case library already held a scan of these bytes: nothing queued
  | 'not-submitted'; // unreadable on the submitting machine

export interface BatchSummaryRow {
  file: string;
  sha256: string | null;
  status: BatchFileStatus;
  verdict: string | null;
  score: number | null;
  caseId: string | null;
  error: string | null;
  /**
   * Scan attempts this file's job used, as the workers count them (0 when nothing was scanned for this batch): a
   * scan that finished or failed, plus the one running. A worker that died or released the job mid-scan used
   * none, so a job recovered that way still shows 1 (docs/batch.md).
   */
  attempts: number;
  scannedBy: string | null;
  source: BatchFileSource;
}

export interface BatchTotals {
  files: number;
  completed: number;
  failed: number;
  pending: number;
  newJobs: number;
  existingJobs: number;
  fromLibrary: number;
}

export interface BatchSummary {
  format: 'unmask.batch-summary';
  formatVersion: 1;
  queue: string;
  startedAt: string;
  finishedAt: string;
  totals: BatchTotals;
  files: BatchSummaryRow[];
}

/**
 * Attempts used by a job in `state`, from BullMQ's `attemptsMade` (counted when an attempt ends in a result, a
 * failure or a retry; never for a stalled or released one), plus the attempt under way while the job is active.
 */
export function attemptsUsed(state: string, attemptsMade: number): number {
  return state === 'active' ? attemptsMade + 1 : attemptsMade;
}

export function batchTotals(rows: readonly BatchSummaryRow[]): BatchTotals {
  const count = (predicate: (row: BatchSummaryRow) => boolean) => rows.filter(predicate).length;
  const jobs = (source: BatchFileSource) =>
    new Set(rows.filter((r) => r.source === source).map((r) => r.sha256)).size;
  return {
    files: rows.length,
    completed: count((r) => r.status === 'completed'),
    failed: count((r) => r.status === 'failed'),
    pending: count((r) => r.status === 'pending'),
    newJobs: jobs('new-job'),
    existingJobs: jobs('existing-job'),
    fromLibrary: count((r) => r.source === 'case-library'),
  };
}

export const SUMMARY_CSV_COLUMNS = [
  'file',
  'status',
  'verdict',
  'score',
  'caseId',
  'error',
  'sha256',
  'attempts',
  'scannedBy',
  'source',
] as const satisfies ReadonlyArray<keyof BatchSummaryRow>;

/** RFC 4180: quote a field holding a comma, quote, CR or LF, doubling inner quotes. */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function summaryCsv(rows: readonly BatchSummaryRow[]): string {
  const lines = [
    SUMMARY_CSV_COLUMNS.join(','),
    ...rows.map((row) => SUMMARY_CSV_COLUMNS.map((column) => csvField(row[column])).join(',')),
  ];
  return `${lines.join('\r\n')}\r\n`;
}
