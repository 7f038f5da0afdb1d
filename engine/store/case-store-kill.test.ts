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
  const timed = async (fps: number, killAfterMs: number) => {
    const started = performance.now();
    const result = await runAndKillAfter([...args, '--fps', String(fps)], killAfterMs);
    return { ...result, ms: performance.now() - started };
  };
  const full = await timed(6, 120_000);
  assert.equal(full.code, 0, 'an uninterrupted scan finishes');
  let fullMs = full.ms;

  // Seeded kill times over the whole run, denser towards the end where the case is written. The machine's load
  // changes how long a scan takes, so a run that finishes sets the next estimate; keep going until 4 were killed.
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  let killed = 0;
  let completed = 1;
  for (let run = 0; run < 14 && killed < 4; run++) {
    // Each run uses another sampling rate, so each would file a new case.
    const result = await timed(7 + run, fullMs * (0.15 + 0.85 * Math.sqrt(random())));
    if (result.killed) killed++;
    else if (result.code === 0) {
      completed++;
      fullMs = result.ms;
    }
  }
  assert.ok(killed >= 4, `${killed} runs were killed mid-way`);

  const store = openCaseStore(dataDir);
  const cases = store.listCases();
  // A run killed just after its commit legitimately leaves a whole case.
  assert.ok(
    cases.length >= completed && cases.length <= completed + killed,
    `${cases.length} cases; ${completed} runs finished, ${killed} were killed`,
  );
  for (const summary of cases) {
    const stored = store.requireCase(summary.id);
    assert.equal(stored.scan.frames.length, stored.scan.summary.sampledFrames);
    const faces = stored.scan.frames.reduce((n, f) => n + f.faces.length, 0);
    assert.equal(faces, stored.scan.summary.faces);
    assert.equal(stored.scan.tracks.length, stored.scan.summary.tracks);
  }
  store.close();
});
