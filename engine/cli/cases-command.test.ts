import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openCaseStore } from '../store/case-store.ts';
import { makeFixtureVideo } from '../testing/fixtures.ts';
import { runUnmask } from '../testing/run-cli.ts';
import { EXIT_CODES } from '../util/errors.ts';

test('scan files a case; cases list, show and delete work on it', async () => {
  const video = await makeFixtureVideo('one-face');
  const dataDir = mkdtempSync(join(tmpdir(), 'unmask-cases-cli-'));
  const scan = runUnmask([
    'scan',
    video,
    '--max-frames',
    '6',
    '--data-dir',
    dataDir,
    '--out',
    join(dataDir, 's.json'),
  ]);
  assert.equal(scan.status, 0, scan.stderr);
  const caseId = /Saved as (case-[0-9a-f]{12})/.exec(scan.stderr)?.[1];
  assert.ok(caseId, scan.stderr);

  const list = runUnmask(['cases', 'list', '--data-dir', dataDir, '--json']);
  assert.equal(list.status, 0, list.stderr);
  const cases = JSON.parse(list.stdout) as Array<{ id: string; sampledFrames: number }>;
  assert.deepEqual(
    cases.map((c) => c.id),
    [caseId],
  );
  assert.equal(cases[0]!.sampledFrames, 6);

  const show = runUnmask(['cases', 'show', caseId, '--data-dir', dataDir]);
  assert.equal(show.status, 0, show.stderr);
  assert.match(show.stdout, /sha256 +[0-9a-f]{64}/);
  assert.match(show.stdout, /person 1 /);

  assert.equal(
    runUnmask(['cases', 'note', caseId, 'Source confirmed by phone', '--data-dir', dataDir]).status,
    0,
  );
  assert.match(
    runUnmask(['cases', 'show', caseId, '--data-dir', dataDir]).stdout,
    /notes +Source confirmed by phone/,
  );

  const missing = runUnmask(['cases', 'show', 'case-000000000000', '--data-dir', dataDir]);
  assert.equal(missing.status, EXIT_CODES.caseNotFound);
  assert.match(missing.stderr, /No case case-000000000000/);

  assert.equal(runUnmask(['cases', 'delete', caseId, '--data-dir', dataDir]).status, 0);
  const store = openCaseStore(dataDir);
  assert.equal(store.listCases().length, 0);
  store.close();
});

test('--no-save leaves the library empty; a library from a newer Unmask fails before scanning', async () => {
  const video = await makeFixtureVideo('one-face');
  const dataDir = mkdtempSync(join(tmpdir(), 'unmask-cases-cli-'));
  assert.equal(
    runUnmask(['scan', video, '--max-frames', '2', '--no-score', '--no-save', '--data-dir', dataDir]).status,
    0,
  );
  const store = openCaseStore(dataDir);
  assert.equal(store.listCases().length, 0);
  store.close();

  const Database = (await import('better-sqlite3')).default;
  const db = new Database(join(dataDir, 'cases.sqlite'));
  db.pragma('user_version = 999');
  db.close();
  const refused = runUnmask(['scan', video, '--max-frames', '2', '--data-dir', dataDir]);
  assert.equal(refused.status, EXIT_CODES.storeTooNew);
  assert.match(refused.stderr, /newer Unmask/);
  assert.equal(refused.stdout, '', 'no scan output when the case cannot be filed');
});
