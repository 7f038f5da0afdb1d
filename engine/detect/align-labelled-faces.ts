/**
 * Aligns a labelled dataset on several worker threads, each with its own face detector and a contiguous chunk
 * of the rows; the chunks' banks are joined in row order, so the result does not depend on the thread count.
 */
import type { Worker } from 'node:worker_threads';
import { loadFaceDetector } from '../faces/face-detector.ts';
import { UnmaskError } from '../util/errors.ts';
import type { ProgressListener } from '../util/progress.ts';
import { startTsWorker } from '../util/ts-worker.ts';
import {
  buildLabelledFaceBanks,
  concatLabelledFaceBanks,
  type LabelledFaceBanks,
  type LabelledFaceRow,
  type LabelledFacesOptions,
  type LabelledFacesReport,
} from './labelled-faces.ts';

type Built = { banks: LabelledFaceBanks; report: LabelledFacesReport };

export async function alignLabelledFaces(
  dir: string,
  rows: readonly LabelledFaceRow[],
  options: LabelledFacesOptions,
  threads: number,
  onProgress: ProgressListener = () => undefined,
  signal?: AbortSignal,
  /** Fewer rows than this per thread are not worth a thread's start-up (loading the face models). */
  minRowsPerThread = 64,
): Promise<Built> {
  const count = Math.max(1, Math.min(threads, Math.ceil(rows.length / minRowsPerThread)));
  if (count === 1) {
    const detector = await loadFaceDetector();
    try {
      return await buildLabelledFaceBanks(dir, rows, detector, options, onProgress, signal);
    } finally {
      detector.dispose();
    }
  }
  const size = Math.ceil(rows.length / count);
  const chunks = Array.from({ length: count }, (_, k) => rows.slice(k * size, (k + 1) * size));
  const done = chunks.map(() => 0);
  const workers: Worker[] = [];
  const report = () =>
    onProgress({
      stage: 'faces',
      done: done.reduce((a, b) => a + b, 0),
      total: rows.length,
      detail: `${count} threads`,
    });
  const onAbort = () => workers.forEach((w) => void w.terminate());
  signal?.addEventListener('abort', onAbort);
  try {
    const parts = await Promise.all(
      chunks.map(
        (chunk, k) =>
          new Promise<Built>((resolve, reject) => {
            const worker = startTsWorker(new URL('./labelled-faces-worker.ts', import.meta.url), {
              workerData: { dir, rows: chunk, options },
            });
            workers.push(worker);
            worker.on('message', (message: { kind: string; done?: number; message?: string } & Built) => {
              if (message.kind === 'progress') {
                done[k] = message.done!;
                report();
              } else if (message.kind === 'done') resolve({ banks: message.banks, report: message.report });
              else reject(new Error(message.message));
            });
            worker.on('error', reject);
            worker.on('exit', (code) => {
              if (signal?.aborted) reject(new UnmaskError('cancelled', 'Cancelled.'));
              else if (code !== 0) reject(new Error(`face alignment thread stopped (exit ${code})`));
            });
          }),
      ),
    );
    return concatLabelledFaceBanks(parts);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
