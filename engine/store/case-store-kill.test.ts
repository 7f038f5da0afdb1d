/**
 * Kills `unmask scan` at random moments (seeded) while it scans and files its case, then checks that the library
 * holds only whole cases: each one reads back, validates, and has every frame its summary counts.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeFixtureVideo } from '../testing/fixtures.ts';
import { CLI_PATH } from '../testing/run-cli.ts';
import { openCaseStore } from './case-store.ts';

function runAndKillAfter(
  args: string[],
  killAfterMs: number,
): Promise<{ killed: boolean; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args], { stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ killed: signal === 'SIGKILL', code });
    });
  });
}

test('a scan killed at random points never leaves a half case that looks complete', async () => {
  const video = await makeFixtureVideo('one-face');
  const dataDir = mkdtempSync(join(tmpdir(), 'unmask-kill-'));
  const args = ['scan', video, '--max-frames', '12', '--data-dir', dataDir, '--no-landmarks'];
  const started = performance.now();
  const full = await runAndKillAfter([...args, '--fps', '6'], 120_000);
  assert.equal(full.code, 0, 'an uninterrupted scan finishes');
  const fullMs = performance.now() - started;

  // Seeded kill times spread over the whole run, denser towards the end where the case is written.
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  let killed = 0;
  for (let run = 0; run < 6; run++) {
    const at = fullMs * (0.2 + 0.9 * Math.sqrt(random()));
    // Each run uses another sampling rate, so each would file a new case.
    const result = await runAndKillAfter([...args, '--fps', String(7 + run)], at);
    if (result.killed) killed++;
  }
  assert.ok(killed >= 3, `${killed} of 6 runs were killed mid-way`);

  const store = openCaseStore(dataDir);
  const cases = store.listCases();
  assert.ok(cases.length >= 1 && cases.length <= 7 - killed, `${cases.length} cases, ${killed} runs killed`);
  for (const summary of cases) {
    const stored = store.requireCase(summary.id);
    assert.equal(stored.scan.frames.length, stored.scan.summary.sampledFrames);
    const faces = stored.scan.frames.reduce((n, f) => n + f.faces.length, 0);
    assert.equal(faces, stored.scan.summary.faces);
    assert.equal(stored.scan.tracks.length, stored.scan.summary.tracks);
  }
  store.close();
});
