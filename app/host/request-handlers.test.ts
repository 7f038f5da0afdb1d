import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { scannedFixture } from '../../engine/testing/scanned-fixture.ts';
import { STALE_PARTIAL_MS } from '../../engine/util/files.ts';
import { openCaseLibrary } from './case-library.ts';
import { launchNodeEngine, type EngineLauncher } from './engine-launcher.ts';
import { createHost, type ShellServices } from './request-handlers.ts';
import { fakeEngine, recorder } from './testing-engine.ts';

const shell: ShellServices = {
  info: { name: 'Unmask', version: 'test', shell: 'browser', platform: process.platform },
  chooseVideo: async () => null,
  mediaUrl: (path) => `media:${path}`,
  openFolder: async () => true,
};

async function hostWith(launchEngine: EngineLauncher) {
  const dataDir = await mkdtemp(join(tmpdir(), 'unmask-host-'));
  const cases = openCaseLibrary(dataDir);
  const host = createHost({ dataDir, launchEngine, cases, emit: recorder().emit, shell });
  return { dataDir, cases, host };
}

test('a report is rendered in an engine process: a crash there fails that export, not the host', async () => {
  const engine = fakeEngine();
  const { host } = await hostWith(engine.launch);
  try {
    const exported = host.handlers.exportReport({ caseId: 'case-0123456789ab', format: 'html' });
    assert.equal(engine.sent[0]?.type, 'report');
    engine.exit(null);
    await assert.rejects(exported, /engine stopped unexpectedly/);
    assert.deepEqual(await host.handlers.listCases({}), [], 'the host still answers');
  } finally {
    host.close();
  }
});

test('a case whose container claims 1e15 s exports a small HTML report through the engine', async () => {
  const scan = await scannedFixture('one-face');
  (scan.probe as { durationSec: number }).durationSec = 1e15;
  const { host, cases } = await hostWith(launchNodeEngine);
  try {
    const caseId = await cases.saveScan(scan);
    const { path } = await host.handlers.exportReport({ caseId, format: 'html' });
    assert.match(path, new RegExp(`reports/${caseId}/one-face\\.unmask-report\\.html$`));
    assert.ok((await stat(path)).size < 2_000_000, `${(await stat(path)).size} bytes`);
    assert.match(await readFile(path, 'utf8'), /Person 1/);
    await assert.rejects(
      host.handlers.exportReport({ caseId: 'case-000000000000', format: 'json' }),
      (error: Error & { code?: string }) => error.code === 'caseNotFound',
    );
  } finally {
    host.close();
  }
});

test('a path becomes playable media only once the engine has probed it as a video', async () => {
  const engine = fakeEngine();
  const { host, dataDir } = await hostWith(engine.launch);
  const secret = join(dataDir, 'shadow');
  await writeFile(secret, 'root:$6$secret\n');
  const video = join(dataDir, 'clip.mp4');
  await writeFile(video, 'a video, as far as the fake engine says');
  try {
    await host.handlers.startScan({ path: secret });
    assert.equal(await host.isAllowedMedia(secret), false, 'starting a scan allows nothing');
    engine.reply({ type: 'error', code: 'inputNotMedia', message: 'not a video' });
    assert.equal(await host.isAllowedMedia(secret), false, 'a refused file never becomes media');
    await assert.rejects(host.handlers.getMediaUrl({ path: secret }), /not opened here/);

    await host.handlers.startScan({ path: video });
    assert.equal(await host.isAllowedMedia(video), false);
    engine.reply({ type: 'probed', displayWidth: 640, displayHeight: 360, durationSec: 4 });
    assert.equal(await host.isAllowedMedia(video), true);
    assert.deepEqual(await host.handlers.getMediaUrl({ path: video }), { url: `media:${video}` });
  } finally {
    host.close();
  }
});

test('revealing opens the folder of an exported report, by case id, and nothing else', async () => {
  const scan = await scannedFixture('one-face');
  const opened: string[] = [];
  const dataDir = await mkdtemp(join(tmpdir(), 'unmask-host-'));
  const cases = openCaseLibrary(dataDir);
  const host = createHost({
    dataDir,
    launchEngine: launchNodeEngine,
    cases,
    emit: recorder().emit,
    shell: { ...shell, openFolder: async (dir) => opened.push(dir) > 0 },
  });
  try {
    const caseId = await cases.saveScan(scan);
    await assert.rejects(host.handlers.revealOutput({ kind: 'report', caseId }), /Nothing has been saved/);
    const { path } = await host.handlers.exportReport({ caseId, format: 'json' });
    assert.deepEqual(await host.handlers.revealOutput({ kind: 'report', caseId }), { revealed: true });
    assert.deepEqual(opened, [dirname(path)]);
    await assert.rejects(
      host.handlers.revealOutput({ kind: 'report', caseId: '..' }),
      /Nothing has been saved/,
    );
    await assert.rejects(
      host.handlers.revealOutput({ kind: 'render', jobId: 'render-0123456789ab' }),
      /Nothing has been saved/,
    );
    assert.equal(opened.length, 1);
  } finally {
    host.close();
  }
});

test('the host removes partial reports left by a killed export when it starts', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'unmask-host-'));
  const folder = join(dataDir, 'reports', 'case-0123456789ab');
  await mkdir(folder, { recursive: true });
  const dead = spawnSync(process.execPath, ['-e', '']).pid!;
  const partial = join(folder, `.clip.unmask-report.pdf.${dead}.1700000000000.partial`);
  await writeFile(partial, '%PDF-1.7 half');
  const old = new Date(Date.now() - 2 * STALE_PARTIAL_MS);
  await utimes(partial, old, old);
  const host = createHost({
    dataDir,
    launchEngine: fakeEngine().launch,
    cases: openCaseLibrary(dataDir),
    emit: recorder().emit,
    shell,
  });
  try {
    for (let i = 0; i < 100 && existsSync(partial); i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(existsSync(partial), false);
  } finally {
    host.close();
  }
});
