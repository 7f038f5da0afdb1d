import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_SETTINGS, type AppEvents, type ScanResult } from '../common/contract.ts';
import type { CaseLibrary } from './case-library.ts';
import type { EngineLauncher } from './engine-launcher.ts';
import type { FromEngine, ToEngine } from './engine-messages.ts';
import { ScanJobs } from './scan-jobs.ts';

/** A scripted engine: records what it is sent and lets the test play its replies and its exit. */
function fakeEngine() {
  const sent: ToEngine[] = [];
  let onMessage: (m: FromEngine) => void = () => undefined;
  let onExit: (code: number | null) => void = () => undefined;
  let killed = false;
  const launch: EngineLauncher = () => ({
    send: (m) => sent.push(m),
    onMessage: (l) => (onMessage = l),
    onExit: (l) => (onExit = l),
    kill: () => {
      if (!killed) {
        killed = true;
        queueMicrotask(() => onExit(null));
      }
    },
  });
  return {
    launch,
    sent,
    reply: (m: FromEngine) => onMessage(m),
    exit: (code: number | null) => onExit(code),
  };
}

function recorder() {
  const events: Array<{ event: keyof AppEvents; payload: unknown }> = [];
  const emit = <E extends keyof AppEvents>(event: E, payload: AppEvents[E]) =>
    events.push({ event, payload });
  const next = (name: keyof AppEvents) =>
    new Promise<unknown>((resolve) => {
      const check = () => {
        const found = events.find((e) => e.event === name);
        if (found) resolve(found.payload);
        else setTimeout(check, 1);
      };
      check();
    });
  return { events, emit, next };
}

/** An in-memory stand-in for the SQLite library: only what ScanJobs uses. */
function createSessionCaseLibrary() {
  const scans = new Map<string, ScanResult>();
  const saveScan = async (scan: ScanResult) => {
    const id = `case-${scans.size + 1}`;
    scans.set(id, scan);
    return id;
  };
  return { scans, saveScan } as unknown as CaseLibrary & { scans: Map<string, ScanResult> };
}

const scanResult = {
  input: { path: '/v.mp4', fileName: 'v.mp4', sha256: 'a'.repeat(64) },
  probe: {},
  verdict: { label: 'inconclusive', score: 0.5 },
  summary: { faces: 1, tracks: 1 },
} as unknown as ScanResult;

test('a finished scan is saved as a case before scan-finished is sent', async () => {
  const engine = fakeEngine();
  const cases = createSessionCaseLibrary();
  const { events, emit, next } = recorder();
  const jobs = new ScanJobs(engine.launch, cases, emit);
  const jobId = jobs.start('/v.mp4', { ...DEFAULT_SETTINGS, sampleFps: 2, maxFrames: 7 });
  assert.deepEqual(engine.sent[0], { type: 'scan', path: '/v.mp4', sampling: { fps: 2, maxFrames: 7 } });
  engine.reply({ type: 'progress', event: { stage: 'scan', done: 1, total: 4 } });
  engine.reply({ type: 'scan-done', result: scanResult });
  const finished = (await next('scan-finished')) as { jobId: string; caseId: string };
  assert.equal(finished.jobId, jobId);
  assert.equal(cases.scans.get(finished.caseId), scanResult);
  assert.deepEqual(
    events.map((e) => e.event),
    ['scan-started', 'scan-progress', 'scan-finished', 'cases-changed'],
  );
});

test('cancelling saves nothing, even if the engine still delivers a result', async () => {
  const engine = fakeEngine();
  const cases = createSessionCaseLibrary();
  const { events, emit, next } = recorder();
  const jobs = new ScanJobs(engine.launch, cases, emit);
  const jobId = jobs.start('/v.mp4', DEFAULT_SETTINGS);
  assert.equal(jobs.cancel(jobId), true);
  assert.deepEqual(engine.sent.at(-1), { type: 'cancel' });
  engine.reply({ type: 'scan-done', result: scanResult });
  await next('scan-cancelled');
  assert.equal(cases.scans.size, 0);
  assert.ok(!events.some((e) => e.event === 'scan-finished' || e.event === 'scan-failed'));
  assert.equal(jobs.cancel(jobId), false, 'a settled job cannot be cancelled again');
});

test('an engine crash fails the job as retryable; bad input fails it as not retryable', async () => {
  const crash = fakeEngine();
  const first = recorder();
  new ScanJobs(crash.launch, createSessionCaseLibrary(), first.emit).start('/v.mp4', DEFAULT_SETTINGS);
  crash.exit(134);
  const crashed = (await first.next('scan-failed')) as {
    error: { code: string; retryable: boolean; message: string };
  };
  assert.equal(crashed.error.code, 'engineCrashed');
  assert.equal(crashed.error.retryable, true);
  assert.match(crashed.error.message, /Earlier cases are safe/);

  const bad = fakeEngine();
  const second = recorder();
  new ScanJobs(bad.launch, createSessionCaseLibrary(), second.emit).start('/t.mp4', DEFAULT_SETTINGS);
  bad.reply({ type: 'error', code: 'inputNotMedia', message: 'not a video' });
  const failed = (await second.next('scan-failed')) as { error: { code: string; retryable: boolean } };
  assert.deepEqual(failed.error, { code: 'inputNotMedia', message: 'not a video', retryable: false });
  assert.equal(
    second.events.filter((e) => e.event === 'scan-failed').length,
    1,
    'the exit after the error adds nothing',
  );
});
