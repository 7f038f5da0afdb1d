/** Starts a worker thread running a TypeScript module: a tiny JS bootstrap registers tsx inside the worker. */
import { Worker, type WorkerOptions } from 'node:worker_threads';

export function startTsWorker(moduleUrl: URL, options: WorkerOptions = {}): Worker {
  const bootstrap = new URL('./ts-worker-bootstrap.mjs', import.meta.url);
  const workerData = { ...(options.workerData as object | undefined), __tsModule: moduleUrl.href };
  return new Worker(bootstrap, { ...options, workerData });
}
