/**
 * The contract between `unmask batch` (producer) and `unmask worker` (consumer): the queue's name, how a job id
 * is derived from the file's SHA-256, what a job carries and what it returns. Both sides validate with zod,
 * because the other end may run a different build on another machine.
 */
import { z } from 'zod';
import { scanResultSchema } from '../scan/scan-result.ts';
import { DEFAULT_SCAN_OPTIONS, type ScanOptions } from '../scan/scan-video.ts';

/** BullMQ queue name shared by every producer and worker (keys live under `bull:unmask-scan:*`). */
export const SCAN_QUEUE_NAME = 'unmask-scan';

/** Name given to each job (BullMQ groups metrics by it). */
export const SCAN_JOB_NAME = 'scan-video';

/** Bump when the job data or result changes incompatibly; a worker refuses jobs of another version. */
export const SCAN_JOB_VERSION = 1;

/**
 * The job id is the content hash, so adding the same bytes again (another path, another batch, a re-run) finds
 * the existing job instead of queueing a second scan. The prefix keeps the id from ever being all digits, which
 * BullMQ reserves for its own counter.
 */
export function jobIdForSha256(sha256: string): string {
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`not a SHA-256 hex digest: ${sha256}`);
  return `sha256-${sha256}`;
}

/** What a batch asks of each scan; a subset of ScanOptions that can travel as JSON. */
export const batchScanSettingsSchema = z
  .strictObject({
    fps: z.number().positive().optional(),
    everyNth: z.number().int().positive().optional(),
    maxFrames: z.number().int().positive().optional(),
    score: z.boolean(),
    landmarks: z.boolean(),
    minFaceSize: z.number().positive().optional(),
  })
  .refine((s) => s.fps === undefined || s.everyNth === undefined, 'give fps or everyNth, not both');
export type BatchScanSettings = z.infer<typeof batchScanSettingsSchema>;

export const DEFAULT_BATCH_SCAN_SETTINGS: BatchScanSettings = {
  fps: DEFAULT_SCAN_OPTIONS.sampling.fps,
  score: true,
  // Landmarks are 468 points per face; results travel through Redis, so they are opt-in for batches.
  landmarks: false,
};

export function scanOptionsFor(settings: BatchScanSettings): ScanOptions {
  return {
    ...DEFAULT_SCAN_OPTIONS,
    sampling: {
      ...(settings.everyNth !== undefined
        ? { everyNth: settings.everyNth }
        : { fps: settings.fps ?? DEFAULT_SCAN_OPTIONS.sampling.fps }),
      ...(settings.maxFrames !== undefined && { maxFrames: settings.maxFrames }),
    },
    includeLandmarks: settings.landmarks,
    scoreFaces: settings.score,
    minFaceSize: settings.minFaceSize ?? DEFAULT_SCAN_OPTIONS.minFaceSize,
  };
}

export const scanJobDataSchema = z.strictObject({
  version: z.literal(SCAN_JOB_VERSION),
  /** Absolute path as the submitting machine saw it; workers must see the same path (shared storage). */
  path: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  sizeBytes: z.number().int().nonnegative(),
  settings: batchScanSettingsSchema,
  submittedBy: z.string(),
  submittedAt: z.string(),
});
export type ScanJobData = z.infer<typeof scanJobDataSchema>;

export const scanJobResultSchema = z.strictObject({
  version: z.literal(SCAN_JOB_VERSION),
  /** `host:pid` of the worker that scanned it. */
  scannedBy: z.string(),
  scan: scanResultSchema,
});
export type ScanJobResult = z.infer<typeof scanJobResultSchema>;

/** Progress a worker publishes on the job while it scans (BullMQ stores it on the job). */
export const scanJobProgressSchema = z.object({
  stage: z.string(),
  done: z.number(),
  total: z.number().optional(),
  fraction: z.number().min(0).max(1),
});
export type ScanJobProgress = z.infer<typeof scanJobProgressSchema>;
