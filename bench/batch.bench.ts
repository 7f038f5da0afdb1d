/**
 * Batch throughput: the same batch of distinct clips scanned through a private Redis by 1 and by 2
 * `unmask worker` processes, side by side (median of 3 runs each, alternating). Workers are started and ready
 * before the clock starts; the time is from submitting the batch to its last result gathered.
 * Env: BATCH_CLIPS (default 8), BATCH_FRAMES (sampled frames per clip, default 10).
 */
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { listBatchInputs } from '../engine/batch/batch-inputs.ts';
import { parseQueueUrl } from '../engine/batch/queue-url.ts';
import { runBatch } from '../engine/batch/run-batch.ts';
import { resolveFfmpeg } from '../engine/runtime/ffmpeg.ts';
import { makeFixtureVideo } from '../engine/testing/fixtures.ts';
import { startRedisServer } from '../engine/testing/redis-server.ts';
import { startUnmask } from '../engine/testing/run-cli.ts';
import { median, printTable } from './stats.ts';

const CLIPS = Number(process.env['BATCH_CLIPS'] ?? 8);
const FRAMES = Number(process.env['BATCH_FRAMES'] ?? 10);
const REPEATS = 3;

/** Distinct bytes, same pictures: the one-face clip re-muxed with a different comment tag each time. */
async function makeClips(): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'unmask-batch-bench-'));
  const source = await makeFixtureVideo('one-face');
  const ffmpeg = resolveFfmpeg().ffmpeg.path;
  for (let i = 0; i < CLIPS; i++) {
    await promisify(execFile)(ffmpeg, [
      ...['-hide_banner', '-loglevel', 'error', '-i', source, '-c', 'copy'],
      ...['-metadata', `comment=batch bench clip ${i}`, join(dir, `clip-${i}.mp4`)],
    ]);
  }
  return listBatchInputs(dir);
}

const redis = await startRedisServer({ appendOnly: false });
let database = 0;
/** Clips scanned by each worker, per run (e.g. '4+4'). */
const split: Record<number, string[]> = { 1: [], 2: [] };

async function secondsWith(workerCount: number, files: string[]): Promise<number> {
  const url = `${redis.url}/${++database}`;
  const workers = Array.from({ length: workerCount }, () => startUnmask(['worker', '--queue', url]));
  try {
    await Promise.all(workers.map((w) => w.waitForLine(/ready:/)));
    const started = performance.now();
    const summary = await runBatch({
      address: parseQueueUrl(url),
      files,
      settings: { fps: 5, maxFrames: FRAMES, score: true, landmarks: false },
      priority: 1,
      attempts: 1,
      retryFailed: false,
      pollIntervalMs: 100,
      queueTimeoutMs: 60_000,
    });
    const seconds = (performance.now() - started) / 1000;
    if (summary.totals.completed !== files.length)
      throw new Error(`batch incomplete: ${JSON.stringify(summary.files.filter((f) => f.error))}`);
    const perWorker = new Map<string, number>();
    for (const f of summary.files) perWorker.set(f.scannedBy!, (perWorker.get(f.scannedBy!) ?? 0) + 1);
    split[workerCount]!.push([...perWorker.values()].sort().join('+'));
    return seconds;
  } finally {
    for (const w of workers) w.child.kill('SIGTERM');
    await Promise.all(workers.map((w) => w.exited));
  }
}

try {
  const files = await makeClips();
  console.log(
    `\n## Batch throughput — ${CLIPS} distinct 640×360 clips, ${FRAMES} sampled frames each, scored; ${REPEATS} runs, medians\n`,
  );
  const runs: Record<1 | 2, number[]> = { 1: [], 2: [] };
  for (let r = 0; r < REPEATS; r++) {
    runs[1].push(await secondsWith(1, files));
    runs[2].push(await secondsWith(2, files));
  }
  const row = (workers: 1 | 2) => ({
    workers,
    'wall s (median)': median(runs[workers]),
    'clips/min': (60 * CLIPS) / median(runs[workers]),
    runs: runs[workers].map((s) => s.toFixed(1)).join(' '),
    'clips per worker': split[workers]!.join(' '),
  });
  printTable([row(1), row(2)]);
  const load = loadavg().map((l) => l.toFixed(1));
  console.log(`\nload average at the end (1/5/15 min): ${load.join(' ')} on ${availableParallelism()} cores`);
  console.log(
    `\nthroughput 2 workers / 1 worker: ${(median(runs[1]) / median(runs[2])).toFixed(2)}× ` +
      '(each worker is one process using one core; this machine has 2)',
  );
} finally {
  await redis.stop();
}
