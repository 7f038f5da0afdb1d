import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { FrameLog } from '../../engine/scan/frame-log.ts';
import type { ScanRecord } from '../../engine/scan/scan-result.ts';
import { DEFAULT_SETTINGS, type ScannedFrame, type ScanResult } from '../common/contract.ts';
import type { CaseLibrary } from './case-library.ts';
import type { ToEngine } from './engine-messages.ts';
import { namingPickedFile, ScanJobs } from './scan-jobs.ts';
import { fakeEngine, recorder } from './testing-engine.ts';

/** An in-memory stand-in for the SQLite library: only what ScanJobs uses. It reads the frames as it saves. */
function createSessionCaseLibrary() {
  const scans = new Map<string, ScanResult>();
  const saveScan = async (scan: ScanRecord) => {
    const id = `case-${scans.size + 1}`;
    scans.set(id, { ...scan, frames: [...scan.frames] });
    return id;
  };
  return { scans, saveScan } as unknown as CaseLibrary & { scans: Map<string, ScanResult> };
}

/** The folder the host gave the engine for this scan's frames. */
const framesDirOf = (sent: ToEngine | undefined) => (sent as { framesDir: string }).framesDir;

/** What the engine does as it scans: each frame's result into the job's frames folder. */
function engineWritesFrames(framesDir: string, frames: readonly ScannedFrame[]): void {
  const log = FrameLog.createIn(framesDir);
  for (const frame of frames) log.append(frame);
  log.close();
}

const twoFrames: ScannedFrame[] = [
  { index: 0, timeSec: 0, faces: [] },
  { index: 1, timeSec: 0.5, faces: [] },
];

const scanResult = {
  input: { path: '/v.mp4', fileName: 'v.mp4', sha256: 'a'.repeat(64) },
  probe: {},
  verdict: { label: 'inconclusive', score: 0.5 },
  summary: { faces: 1, tracks: 1 },
} as unknown as ScanResult;

/** A real file to scan: the host checks it is still there, unchanged in size, before saving the case. */
let video = '';
before(async () => {
  video = join(await mkdtemp(join(tmpdir(), 'unmask-scan-jobs-')), 'v.mp4');
  await writeFile(video, 'the fake engine never reads it');
  scanResult.input = { ...scanResult.input, path: video, sizeBytes: (await stat(video)).size };
});

test('a finished scan is saved as a case before scan-finished is sent', async () => {
  const engine = fakeEngine();
  const cases = createSessionCaseLibrary();
  const { events, emit, next } = recorder();
  const jobs = new ScanJobs(engine.launch, cases, emit);
  const jobId = jobs.start(video, { ...DEFAULT_SETTINGS, sampleFps: 2, maxFrames: 7 });
  const framesDir = framesDirOf(engine.sent[0]);
  assert.deepEqual(engine.sent[0], {
    type: 'scan',
    path: video,
    sampling: { fps: 2, maxFrames: 7 },
    framesDir,
  });
  engineWritesFrames(framesDir, twoFrames);
  engine.reply({ type: 'progress', event: { stage: 'scan', done: 1, total: 4 } });
  engine.reply({ type: 'scan-done', result: scanResult });
  const finished = (await next('scan-finished')) as { jobId: string; caseId: string };
  assert.equal(finished.jobId, jobId);
  assert.deepEqual(cases.scans.get(finished.caseId), { ...scanResult, frames: twoFrames });
  assert.ok(!existsSync(framesDir), 'the frames folder is removed once the case is filed');
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
  const framesDir = framesDirOf(engine.sent[0]);
  engineWritesFrames(framesDir, twoFrames);
  assert.equal(jobs.cancel(jobId), true);
  assert.deepEqual(engine.sent.at(-1), { type: 'cancel' });
  engine.reply({ type: 'scan-done', result: scanResult });
  await next('scan-cancelled');
  assert.equal(cases.scans.size, 0);
  assert.ok(!existsSync(framesDir), 'a cancelled scan leaves no frames behind');
  assert.ok(!events.some((e) => e.event === 'scan-finished' || e.event === 'scan-failed'));
  assert.equal(jobs.cancel(jobId), false, 'a settled job cannot be cancelled again');
});

test('an engine crash fails the job as retryable; bad input fails it as not retryable', async () => {
  const crash = fakeEngine();
  const first = recorder();
  new ScanJobs(crash.launch, createSessionCaseLibrary(), first.emit).start('/v.mp4', DEFAULT_SETTINGS);
  const crashedFrames = framesDirOf(crash.sent[0]);
  // Killed mid-write: a partial last line, as a crash can leave.
  await writeFile(join(crashedFrames, 'frames.ndjson'), '{"index":0,"timeSec":0,"faces":[]}\n{"ind');
  crash.exit(134);
  const crashed = (await first.next('scan-failed')) as {
    error: { code: string; retryable: boolean; message: string };
  };
  assert.equal(crashed.error.code, 'engineCrashed');
  assert.equal(crashed.error.retryable, true);
  assert.match(crashed.error.message, /Earlier cases are safe/);
  assert.ok(!existsSync(crashedFrames), 'a crashed engine leaves no frames behind');

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

test('a file deleted while it was scanned fails the scan and saves no case', async () => {
  const gone = join(await mkdtemp(join(tmpdir(), 'unmask-scan-jobs-')), 'gone.mp4');
  await writeFile(gone, 'deleted below');
  const engine = fakeEngine();
  const cases = createSessionCaseLibrary();
  const { events, emit, next } = recorder();
  new ScanJobs(engine.launch, cases, emit).start(gone, DEFAULT_SETTINGS);
  const framesDir = framesDirOf(engine.sent[0]);
  engineWritesFrames(framesDir, twoFrames);
  await rm(gone);
  engine.reply({
    type: 'scan-done',
    result: { ...scanResult, input: { ...scanResult.input, path: gone, fileName: 'gone.mp4' } },
  });
  const failed = (await next('scan-failed')) as {
    error: { code: string; message: string; retryable: boolean };
  };
  assert.equal(failed.error.code, 'inputNotFound');
  assert.match(
    failed.error.message,
    /gone\.mp4 was deleted, moved or replaced while it was being scanned; no case was saved/,
  );
  assert.equal(failed.error.retryable, false);
  assert.equal(cases.scans.size, 0);
  assert.ok(!existsSync(framesDir), 'a scan that files nothing leaves no frames behind');
  assert.ok(!events.some((e) => e.event === 'scan-finished' || e.event === 'cases-changed'));
});

test('a failed scan names the file the user picked, not where the host keeps the upload', async () => {
  const upload = '/data/imports/0123456789abcdef/holiday clip.mp4';
  const bad = fakeEngine();
  const events = recorder();
  new ScanJobs(bad.launch, createSessionCaseLibrary(), events.emit).start(upload, DEFAULT_SETTINGS);
  bad.reply({
    type: 'error',
    code: 'inputTruncated',
    message: `Input file "${upload}" is a truncated or damaged MP4/MOV: the file is not a complete video.`,
  });
  const failed = (await events.next('scan-failed')) as { error: { message: string } };
  assert.equal(
    failed.error.message,
    'Input file "holiday clip.mp4" is a truncated or damaged MP4/MOV: the file is not a complete video.',
  );
  assert.equal(namingPickedFile('x', upload), 'x');
});
