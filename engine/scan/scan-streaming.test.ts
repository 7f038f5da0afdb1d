/**
 * A scan streams its frames to a FrameLog instead of keeping them: what it says without them (summary, caveats,
 * tracks) must equal what the frames give, the JSON and the case written from the log must equal the scan in
 * memory, and a scan that fails, is cancelled or is killed must leave no frames behind.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { scoreTrack, videoVerdict } from '../detect/aggregate.ts';
import { openCaseStore } from '../store/case-store.ts';
import { makeFixtureVideo } from '../testing/fixtures.ts';
import { CLI_PATH } from '../testing/run-cli.ts';
import { scannedFixture } from '../testing/scanned-fixture.ts';
import { isUnmaskError } from '../util/errors.ts';
import { writeFileAtomic } from '../util/files.ts';
import { samplingIntervalSec, timelineGaps } from '../video/timeline-gaps.ts';
import { scanJsonChunks } from './scan-json.ts';
import { parseScanResult, withFrames, type ScanResult } from './scan-result.ts';
import { DEFAULT_SCAN_OPTIONS, scanVideo, scanVideoStreaming } from './scan-video.ts';
import { scanCaveats } from './verdict-basis.ts';

const OPTIONS = { ...DEFAULT_SCAN_OPTIONS, sampling: { fps: 5, maxFrames: 10 }, heatmapThreshold: 0 };

/** The frame logs' folders that exist now in the system's temporary folder. */
const privateLogs = () => new Set(readdirSync(tmpdir()).filter((n) => n.startsWith('unmask-frames-')));

/** The same scan, apart from when it ran. */
const withoutRun = (scan: ScanResult) => ({ ...scan, run: null });

test('a streamed scan equals the scan in memory: summary from the frames, JSON and case from the log', async () => {
  const video = await makeFixtureVideo('one-face');
  const before = privateLogs();
  const seenWhileScanning: string[] = [];
  const { head, frames: log } = await scanVideoStreaming(video, OPTIONS, {
    onFrame: () => seenWhileScanning.push(...[...privateLogs()].filter((n) => !before.has(n))),
  });
  try {
    if (process.platform !== 'win32')
      assert.deepEqual(seenWhileScanning, [], 'the private log had no name on disk while the scan ran');
    const frames = [...log];
    const scan = withFrames(head, frames);
    assert.equal(frames.length, 10);

    // What the scan worked out frame by frame equals what the whole list of frames gives.
    const faces = frames.flatMap((f) => f.faces.map((face) => ({ timeSec: f.timeSec, face })));
    assert.equal(head.summary.sampledFrames, frames.length);
    assert.equal(head.summary.faces, faces.length);
    assert.equal(head.summary.framesWithFaces, frames.filter((f) => f.faces.length > 0).length);
    assert.deepEqual(head.verdict.caveats, scanCaveats(scan));
    const interval = samplingIntervalSec(head.settings.sampling, 25);
    const gaps = timelineGaps(
      frames.map((f) => f.timeSec),
      0,
      interval,
    );
    assert.deepEqual(head.damage?.missing ?? [], gaps);
    const scored = head.tracks.map((track) =>
      scoreTrack(
        track.id,
        faces
          .filter(({ face }) => face.trackId === track.id && face.manipulation.probability !== null)
          .map(({ timeSec, face }) => ({ timeSec, probability: face.manipulation.probability! })),
      ),
    );
    assert.ok(scored.length >= 1 && scored[0]!.scoredFrames >= 8, 'the face was judged');
    head.tracks.forEach((track, i) => {
      assert.equal(track.scoredFrames, scored[i]!.scoredFrames);
      assert.equal(track.score, Math.round(scored[i]!.score * 1e4) / 1e4);
    });
    assert.equal(head.verdict.decidingTrackId, videoVerdict(scored).decidingTrackId);

    // The JSON written chunk by chunk from the log is the scan's JSON, byte for byte, and reads back.
    const dir = mkdtempSync(join(tmpdir(), 'unmask-streaming-'));
    const out = join(dir, 'scan.json');
    await writeFileAtomic(out, scanJsonChunks({ ...head, frames: log }));
    const text = readFileSync(out, 'utf8');
    assert.equal(text, `${JSON.stringify(scan, null, 1)}\n`);
    // As any reader sees it (JSON has no undefined fields).
    const asRead = parseScanResult(JSON.parse(text));

    // The case filed from the log reads back as the same scan.
    const store = openCaseStore(join(dir, 'cases'));
    try {
      const { caseId } = store.saveScan({ ...head, frames: log });
      assert.deepEqual(store.requireCase(caseId).scan, asRead);
      const light = store.requireCase(caseId, { landmarks: false }).scan;
      assert.ok(scan.frames.some((f) => f.faces.some((face) => face.landmarks.length === 468)));
      assert.ok(light.frames.every((f) => f.faces.every((face) => face.landmarks.length === 0)));
      assert.deepEqual(
        withFrames(
          light,
          light.frames.map((f) => ({ ...f, faces: f.faces.map((face) => ({ ...face, landmarks: [] })) })),
        ),
        withFrames(
          asRead,
          asRead.frames.map((f) => ({ ...f, faces: f.faces.map((face) => ({ ...face, landmarks: [] })) })),
        ),
        'without landmarks, the case is otherwise whole',
      );
    } finally {
      store.close();
    }

    // And scanVideo, which reads the log back into memory, gives the same scan.
    assert.deepEqual(withoutRun(await scanVideo(video, OPTIONS)), withoutRun(scan));
  } finally {
    log.close();
  }
  assert.deepEqual(
    [...privateLogs()].filter((n) => !before.has(n)),
    [],
    'nothing left once it is closed',
  );
});

test('the JSON of a scan without frames, or with a damage record and an AI label, is written exactly too', async () => {
  const scan = await scannedFixture('one-face');
  assert.ok(scan.aiLabel, 'the fixture carries an ai_generated tag');
  // In the schema's key order, as a scan has it.
  const damaged: ScanResult = withFrames(
    {
      ...scan,
      damage: {
        decodeErrors: 2,
        firstErrors: ['a "quoted"\nerror'],
        missing: [],
        caveat: 'The file is damaged.',
      },
    },
    scan.frames,
  );
  for (const variant of [scan, damaged, { ...scan, frames: [] }]) {
    const text = [...scanJsonChunks(variant)].join('');
    assert.equal(text, `${JSON.stringify(variant, null, 1)}\n`);
  }
});

test('a cancelled or failed scan removes the frames it wrote', async () => {
  const framesDir = mkdtempSync(join(tmpdir(), 'unmask-streaming-'));
  const controller = new AbortController();
  let seen = 0;
  await assert.rejects(
    scanVideoStreaming(
      await makeFixtureVideo('long-one-face'),
      { ...OPTIONS, sampling: { fps: 5 } },
      {
        signal: controller.signal,
        onFrame: () => {
          if (++seen === 3) controller.abort();
        },
      },
      { framesDir },
    ),
    (error) => isUnmaskError(error) && error.code === 'cancelled',
  );
  assert.ok(seen >= 3);
  assert.deepEqual(readdirSync(framesDir), [], 'cancelled: no frames left');

  await assert.rejects(
    scanVideoStreaming(await makeFixtureVideo('truncated-faststart'), OPTIONS, {}, { framesDir }),
    (error) => isUnmaskError(error) && error.code === 'inputTruncated',
  );
  assert.deepEqual(readdirSync(framesDir), [], 'failed: no frames left');
});

/** The frame log a process has open, found through /proc, with its size. */
function openFrameLog(pid: number): { target: string; size: number } | null {
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      if (/unmask-frames-[^/]+\/frames\.ndjson/.test(target))
        return { target, size: statSync(`/proc/${pid}/fd/${fd}`).size };
    }
  } catch {
    // the process ended, or closed the file, while we looked
  }
  return null;
}

test(
  '`unmask scan` killed mid-scan leaves no frames in the temporary folder',
  { skip: process.platform !== 'linux' && 'watches the scan through /proc' },
  async () => {
    const video = await makeFixtureVideo('long-one-face');
    const temp = mkdtempSync(join(tmpdir(), 'unmask-streaming-tmp-'));
    const child = spawn(process.execPath, [CLI_PATH, 'scan', video, '--fps', '5', '--no-save'], {
      env: { ...process.env, TMPDIR: temp },
      stdio: 'ignore',
    });
    const exited = new Promise<string | null>((resolve) =>
      child.once('exit', (_, signal) => resolve(signal)),
    );
    let log = openFrameLog(child.pid!);
    const deadline = Date.now() + 120_000;
    while (!(log && log.size > 0) && Date.now() < deadline && child.exitCode === null) {
      await sleep(50);
      log = openFrameLog(child.pid!);
    }
    assert.ok(log && log.size > 0, 'the scan was writing its frames when it was killed');
    assert.match(log.target, /\(deleted\)$/, 'already unlinked while it was written');
    assert.ok(log.target.startsWith(temp), log.target);
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');
    assert.deepEqual(
      readdirSync(temp).filter((n) => n.startsWith('unmask-frames-')),
      [],
      'nothing of the scan is left',
    );
  },
);
