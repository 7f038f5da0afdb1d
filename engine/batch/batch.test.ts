/**
 * Batch scanning end to end: a private redis-server, `unmask worker` processes and `unmask batch`, all real.
 * Clips are tiny and scans sample 2–3 frames, so the CPU cost stays small on a 2-core machine.
 */
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { makeFixtureVideo, type FixtureKind } from '../testing/fixtures.ts';
import { startRedisServer, type TestRedisServer } from '../testing/redis-server.ts';
import { startUnmask, type RunningCli } from '../testing/run-cli.ts';
import { EXIT_CODES } from '../util/errors.ts';
import { openCaseStore } from '../store/case-store.ts';
import type { BatchSummary } from './batch-summary.ts';

const QUICK_SCAN = ['--fps', '2', '--max-frames', '3', '--poll', '0.3'];

let redis: TestRedisServer;
let database = 0;
/** Each scenario gets its own Redis database, so queues never mix. */
const nextQueueUrl = () => `${redis.url}/${++database}`;

before(async () => {
  redis = await startRedisServer();
});
after(async () => {
  await redis.stop();
});

async function clipFolder(kinds: FixtureKind[], copies: Record<string, FixtureKind> = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'unmask-batch-clips-'));
  await mkdir(join(dir, 'nested'));
  for (const kind of kinds) await copyFile(await makeFixtureVideo(kind), join(dir, `${kind}.mp4`));
  for (const [name, kind] of Object.entries(copies))
    await copyFile(await makeFixtureVideo(kind), join(dir, 'nested', name));
  return dir;
}

async function startWorkers(queueUrl: string, count: number, extra: string[] = []): Promise<RunningCli[]> {
  const workers = Array.from({ length: count }, () => startUnmask(['worker', '--queue', queueUrl, ...extra]));
  await Promise.all(workers.map((w) => w.waitForLine(/ready:/)));
  return workers;
}

async function stopWorkers(workers: RunningCli[]): Promise<void> {
  for (const worker of workers) if (worker.child.exitCode === null) worker.child.kill('SIGTERM');
  await Promise.all(workers.map((w) => w.exited));
}

/** Job id prefixes each worker started, one entry per start. */
function startedJobs(workers: RunningCli[]): string[] {
  return workers.flatMap((w) =>
    [...w.stderr().matchAll(/started .*\((sha256-[0-9a-f]+)…/g)].map((m) => m[1]!),
  );
}

interface BatchRun {
  status: number | null;
  summary: BatchSummary;
  stderr: string;
  /** The case library this batch filed into. */
  dataDir: string;
}

async function runBatch(
  source: string,
  queueUrl: string,
  extra: string[] = [],
  dataDir?: string,
): Promise<BatchRun> {
  const out = await mkdtemp(join(tmpdir(), 'unmask-batch-out-'));
  const base = join(out, 'summary');
  const library = dataDir ?? join(out, 'cases');
  const cli = startUnmask([
    ...['batch', source, '--queue', queueUrl, '--summary', base, '--data-dir', library],
    ...QUICK_SCAN,
    ...extra,
  ]);
  const status = await cli.exited;
  const summary = JSON.parse(await readFile(`${base}.json`, 'utf8')) as BatchSummary;
  const csv = await readFile(`${base}.csv`, 'utf8');
  assert.equal(
    csv.split('\r\n').filter(Boolean).length,
    summary.files.length + 1,
    'CSV: header + one row per file',
  );
  return { status, summary, stderr: cli.stderr(), dataDir: library };
}

/** The cases in a library, as sha256 → number of cases holding it. */
function casesBySha(dataDir: string): Map<string, number> {
  const store = openCaseStore(dataDir);
  try {
    const counts = new Map<string, number>();
    for (const c of store.listCases()) counts.set(c.sha256, (counts.get(c.sha256) ?? 0) + 1);
    return counts;
  } finally {
    store.close();
  }
}

const row = (summary: BatchSummary, name: string) => {
  const found = summary.files.find((f) => f.file.endsWith(`/${name}`));
  assert.ok(found, `${name} in the summary`);
  return found;
};

describe('two workers on one queue', () => {
  let queueUrl: string;
  let clips: string;
  let workers: RunningCli[];
  let first: BatchRun;

  before(async () => {
    queueUrl = nextQueueUrl();
    clips = await clipFolder(['one-face', 'no-faces', 'portrait', 'text-as-mp4'], {
      'same-bytes-as-one-face.mp4': 'one-face',
    });
    workers = await startWorkers(queueUrl, 2);
    first = await runBatch(clips, queueUrl);
  });
  after(async () => {
    await stopWorkers(workers);
  });

  test('every clip is scanned exactly once, by one of the two workers', () => {
    const started = startedJobs(workers);
    assert.equal(
      started.length,
      4,
      `4 distinct contents, 4 scans:\n${workers.map((w) => w.stderr()).join('')}`,
    );
    assert.equal(new Set(started).size, 4, 'no job started twice');
    assert.equal(first.summary.totals.files, 5);
    assert.equal(first.summary.totals.newJobs, 4);
    for (const file of first.summary.files) assert.equal(file.attempts, 1, file.file);
    const copy = row(first.summary, 'same-bytes-as-one-face.mp4');
    const original = row(first.summary, 'one-face.mp4');
    assert.equal(copy.sha256, original.sha256);
    assert.equal(copy.verdict, original.verdict);
    assert.equal(copy.scannedBy, original.scannedBy);
    assert.equal(copy.caseId, original.caseId);
    const cases = casesBySha(first.dataDir);
    assert.equal(cases.size, 3, 'one case per scanned content; none for the corrupt clip');
    assert.ok([...cases.values()].every((n) => n === 1));
    assert.ok(
      first.summary.files.filter((f) => f.status === 'completed').every((f) => f.caseId?.startsWith('case-')),
    );
  });

  test('a corrupt clip ends as failed, with its error, while the rest succeed', () => {
    assert.equal(first.status, EXIT_CODES.batchHadFailures, first.stderr);
    const corrupt = row(first.summary, 'text-as-mp4.mp4');
    assert.equal(corrupt.status, 'failed');
    assert.match(corrupt.error ?? '', /not a video ffmpeg can read/);
    assert.equal(corrupt.verdict, null);
    const others = first.summary.files.filter((f) => f !== corrupt);
    assert.ok(
      others.every((f) => f.status === 'completed'),
      JSON.stringify(others, null, 1),
    );
    assert.equal(row(first.summary, 'no-faces.mp4').verdict, 'not-enough-evidence');
    for (const name of ['one-face.mp4', 'portrait.mp4']) {
      const scanned = row(first.summary, name);
      assert.ok(scanned.score !== null && scanned.score >= 0 && scanned.score <= 1, name);
      assert.match(scanned.scannedBy ?? '', /:\d+$/);
    }
    assert.match(first.stderr, /1 of 5 files failed/);
  });

  test('re-submitting the same folder enqueues nothing new and reports the same results', async () => {
    const pick = (s: BatchSummary) => s.files.map((f) => [f.file, f.status, f.verdict, f.score, f.error]);
    // Same case library: the scanned files are already cases; only the failed one is looked up in the queue.
    const again = await runBatch(clips, queueUrl, [], first.dataDir);
    assert.equal(again.status, EXIT_CODES.batchHadFailures);
    assert.deepEqual(again.summary.totals, {
      ...first.summary.totals,
      newJobs: 0,
      existingJobs: 1,
      fromLibrary: 4,
    });
    assert.deepEqual(pick(again.summary), pick(first.summary));
    assert.equal(casesBySha(first.dataDir).size, 3);
    // Another machine's (empty) library: every job is found in the queue, and its results are gathered again.
    const elsewhere = await runBatch(clips, queueUrl);
    assert.equal(elsewhere.summary.totals.newJobs, 0);
    assert.equal(elsewhere.summary.totals.existingJobs, 4);
    assert.deepEqual(pick(elsewhere.summary), pick(first.summary));
    assert.deepEqual(casesBySha(elsewhere.dataDir), casesBySha(first.dataDir));
    assert.equal(startedJobs(workers).length, 4, 'no worker started another scan');
  });
});

describe('a job that keeps failing', () => {
  test('is retried, ends as failed after --attempts with its error, and --retry-failed queues it again', async () => {
    const queueUrl = nextQueueUrl();
    const clips = await clipFolder(['no-faces', 'portrait']);
    const out = await mkdtemp(join(tmpdir(), 'unmask-batch-out-'));
    const batch = startUnmask([
      ...['batch', clips, '--queue', queueUrl, '--attempts', '2', ...QUICK_SCAN],
      ...['--summary', join(out, 'summary'), '--data-dir', join(out, 'cases')],
    ]);
    // Submitted while no worker runs; then the file vanishes from the (shared) storage.
    await batch.waitForLine(/2 files: 2 queued/);
    await rm(join(clips, 'portrait.mp4'));
    const workers = await startWorkers(queueUrl, 1);
    try {
      assert.equal(await batch.exited, EXIT_CODES.batchHadFailures, batch.stderr());
      const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')) as BatchSummary;
      const gone = row(summary, 'portrait.mp4');
      assert.equal(gone.status, 'failed');
      assert.equal(gone.attempts, 2);
      assert.match(gone.error ?? '', /does not exist on worker .*shared storage/);
      assert.equal(row(summary, 'no-faces.mp4').status, 'completed');
      assert.match(workers[0]!.stderr(), /will retry portrait\.mp4 \(attempt 1\)/);
      assert.match(workers[0]!.stderr(), /failed portrait\.mp4 \(attempt 2\)/);

      // The file is back: --retry-failed queues the failed job again; the finished one is not touched.
      await copyFile(await makeFixtureVideo('portrait'), join(clips, 'portrait.mp4'));
      const retried = await runBatch(clips, queueUrl, ['--retry-failed'], join(out, 'cases'));
      assert.equal(retried.status, 0, retried.stderr);
      assert.equal(row(retried.summary, 'portrait.mp4').status, 'completed');
      assert.equal(row(retried.summary, 'portrait.mp4').attempts, 1);
      assert.equal(row(retried.summary, 'no-faces.mp4').source, 'case-library');
    } finally {
      await stopWorkers(workers);
    }
  });
});

describe('a worker killed mid-job', () => {
  test('its job is recovered by the other worker and the batch completes, each file once', async () => {
    const queueUrl = nextQueueUrl();
    const clips = await clipFolder(['one-face', 'portrait', 'odd-size']);
    // Short locks so the dead worker's job is recovered in seconds rather than the default 30 s.
    const workers = await startWorkers(queueUrl, 2, ['--lock-duration', '3', '--stalled-interval', '1']);
    const [victim, survivor] = workers as [RunningCli, RunningCli];
    try {
      const batch = runBatch(clips, queueUrl, ['--max-frames', '12', '--fps', '5']);
      const line = await victim.waitForLine(/\] started /);
      victim.child.kill('SIGKILL');
      const killedJob = /\((sha256-[0-9a-f]+)…/.exec(line)![1]!;
      const { status, summary, stderr, dataDir } = await batch;
      assert.equal(status, 0, stderr);
      assert.equal(summary.totals.completed, 3);
      const recovered = summary.files.find((f) => `sha256-${f.sha256}`.startsWith(killedJob))!;
      assert.equal(
        recovered.attempts,
        1,
        'the dead worker used no attempt (as the survivor says: attempt 1)',
      );
      assert.match(survivor.stderr(), new RegExp(`started .*\\(${killedJob}…, attempt 1\\)`));
      assert.ok(recovered.scannedBy?.endsWith(`:${survivor.child.pid}`), 'finished by the survivor');
      const survivorStarts = startedJobs([survivor]);
      assert.equal(survivorStarts.filter((id) => id === killedJob).length, 1);
      assert.equal(new Set(summary.files.map((f) => f.sha256)).size, 3, 'one row per file');
      const cases = casesBySha(dataDir);
      assert.equal(cases.size, 3);
      assert.ok(
        [...cases.values()].every((n) => n === 1),
        'no duplicate case',
      );
    } finally {
      await stopWorkers(workers);
    }
  });
});

describe('a worker told to stop (SIGTERM)', () => {
  test('finishes its scan within the grace period, and past it releases the scan to another worker', async () => {
    const queueUrl = nextQueueUrl();
    const clips = await clipFolder(['one-face', 'portrait']);
    const batch = runBatch(clips, queueUrl, ['--max-frames', '12', '--fps', '5']);
    const [patient] = await startWorkers(queueUrl, 1, ['--grace', '120']);
    const finished = /\((sha256-[0-9a-f]+)…/.exec(await patient!.waitForLine(/\] started /))![1]!;
    patient!.child.kill('SIGTERM');
    assert.equal(await patient!.exited, 0, patient!.stderr());
    assert.match(patient!.stderr(), /\] scanned /, 'the running scan finished');
    assert.equal(startedJobs([patient!]).length, 1, 'no new job after SIGTERM');

    const [hasty] = await startWorkers(queueUrl, 1, ['--grace', '0']);
    const released = /\((sha256-[0-9a-f]+)…/.exec(await hasty!.waitForLine(/\] started /))![1]!;
    hasty!.child.kill('SIGTERM');
    assert.equal(await hasty!.exited, 0, hasty!.stderr());
    assert.match(hasty!.stderr(), /\] released /);
    assert.doesNotMatch(hasty!.stderr(), /\] scanned /);

    const [finisher] = await startWorkers(queueUrl, 1);
    try {
      const { status, summary, stderr } = await batch;
      assert.equal(status, 0, stderr);
      const byJob = (id: string) => summary.files.find((f) => `sha256-${f.sha256}`.startsWith(id))!;
      assert.equal(byJob(finished).attempts, 1);
      assert.ok(byJob(finished).scannedBy?.endsWith(`:${patient!.child.pid}`));
      assert.equal(byJob(released).status, 'completed');
      assert.equal(byJob(released).attempts, 1, 'a released scan uses no attempt');
      assert.ok(byJob(released).scannedBy?.endsWith(`:${finisher!.child.pid}`));
    } finally {
      await stopWorkers([finisher!]);
    }
  });
});

describe('Redis restarting mid-batch', () => {
  test('the batch resumes and gathers every result once', async () => {
    const queueUrl = nextQueueUrl();
    const clips = await clipFolder(['one-face', 'portrait', 'odd-size', 'no-faces']);
    const workers = await startWorkers(queueUrl, 1);
    try {
      const batch = runBatch(clips, queueUrl);
      // Restart once the first result is in and the rest are still queued or running.
      await workers[0]!.waitForLine(/\] scanned /);
      await redis.restart({ downMs: 1500 });
      const { status, summary, stderr, dataDir } = await batch;
      assert.equal(status, 0, stderr);
      assert.equal(summary.totals.completed, 4);
      assert.equal(summary.files.length, 4);
      assert.ok([...casesBySha(dataDir).values()].every((n) => n === 1));
      assert.equal(casesBySha(dataDir).size, 4);
      assert.ok(summary.files.every((f) => f.attempts >= 1));
    } finally {
      await stopWorkers(workers);
    }
  });

  test('without persistence, jobs Redis forgot are queued again and every result is gathered once', async () => {
    const volatile = await startRedisServer({ appendOnly: false });
    const clips = await clipFolder(['one-face', 'portrait', 'odd-size', 'no-faces']);
    const workers = await startWorkers(volatile.url, 1);
    try {
      const batch = runBatch(clips, volatile.url);
      await workers[0]!.waitForLine(/\] scanned /);
      await volatile.restart({ downMs: 500 });
      const { status, summary, stderr, dataDir } = await batch;
      assert.equal(status, 0, stderr);
      assert.match(stderr, /queued sha256-[0-9a-f]+… again: the queue no longer had this job/);
      assert.equal(summary.totals.completed, 4);
      assert.equal(summary.files.length, 4);
      assert.ok([...casesBySha(dataDir).values()].every((n) => n === 1));
      assert.equal(casesBySha(dataDir).size, 4);
    } finally {
      await stopWorkers(workers);
      await volatile.stop();
    }
  });
});
