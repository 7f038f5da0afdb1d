import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { scannedFixture } from '../testing/scanned-fixture.ts';
import { UnmaskError } from '../util/errors.ts';
import { buildReport } from '../report/build-report.ts';
import { scanDamage } from '../scan/scan-damage.ts';
import { scanCaveats } from '../scan/verdict-basis.ts';
import { CASE_DATABASE_FILE, caseIdFor, caseNumber, openCaseStore, type Provenance } from './case-store.ts';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from './migrations.ts';

const freshDir = () => mkdtempSync(join(tmpdir(), 'unmask-store-'));

test('a saved scan comes back identical, heatmaps and landmarks included', async () => {
  const scan = await scannedFixture('one-face');
  assert.ok(scan.frames.some((f) => f.faces.some((face) => face.manipulation.heatmap !== null)));
  const store = openCaseStore(freshDir());
  const { caseId, created } = store.saveScan(scan, { notes: 'from the newsroom tip line' });
  assert.equal(created, true);
  assert.equal(caseId, caseIdFor(scan));
  const stored = store.requireCase(caseId);
  assert.deepEqual(stored.scan, scan);
  assert.equal(stored.notes, 'from the newsroom tip line');
  assert.equal(stored.sha256, scan.input.sha256);
  assert.equal(stored.verdict.label, scan.verdict.label);
  store.close();
});

test('a damaged input keeps its damage record in the case, so the app and case reports show it', async () => {
  const scan = structuredClone(await scannedFixture('one-face'));
  scan.damage = scanDamage(12, ['Invalid NAL unit size'], [{ fromSec: 1.2, toSec: 2.6 }]);
  scan.verdict.caveats = scanCaveats(scan);
  const store = openCaseStore(freshDir());
  const stored = store.requireCase(store.saveScan(scan).caseId);
  assert.deepEqual(stored.scan.damage, scan.damage);
  assert.deepEqual(stored.scan, scan);
  store.close();
});

test('a case reads AI tags from its probe, as scans and reports do; tags an older reader stored are dropped', async () => {
  const store = openCaseStore(freshDir());
  const tagSets: Array<Record<string, string>> = [
    { ai_generated: 'maybe' },
    { synthetic: 'n' },
    { comment: 'deepfake demo' },
  ];
  for (const tags of tagSets) {
    const scan = structuredClone(await scannedFixture('one-face'));
    (scan.probe as { tags: Record<string, string> }).tags = tags;
    scan.settings.minFaceSize = Object.keys(tags)[0]!.length; // a distinct case per tag set
    // What the old provenance reader stored for each of these: an "AI-generated" tag.
    const { caseId } = store.saveScan(scan, { provenance: { aiGeneratedTags: tags } as Provenance });
    const stored = store.requireCase(caseId);
    assert.equal(stored.scan.aiLabel?.aiGenerated, false, JSON.stringify(tags));
    assert.deepEqual(stored.provenance, {}, 'no second list of AI tags');
    const report = buildReport(stored.scan, {
      generatedAt: '2026-01-01T00:00:00.000Z',
      provenance: stored.provenance,
    });
    assert.equal(report.provenance.aiGenerated, false);
    assert.deepEqual(report.provenance.aiTags, stored.scan.aiLabel?.tags);
  }
  store.close();
});

test('saving the same scan again updates one case and keeps its notes and creation time', async () => {
  const scan = await scannedFixture('one-face');
  const store = openCaseStore(freshDir());
  const first = store.saveScan(scan, { notes: 'keep me', now: '2026-01-01T00:00:00.000Z' });
  const second = store.saveScan(scan, { now: '2026-02-01T00:00:00.000Z' });
  assert.equal(second.caseId, first.caseId);
  assert.equal(second.created, false);
  const cases = store.listCases();
  assert.equal(cases.length, 1);
  assert.equal(cases[0]!.notes, 'keep me');
  assert.equal(cases[0]!.createdAt, '2026-01-01T00:00:00.000Z');
  assert.equal(cases[0]!.updatedAt, '2026-02-01T00:00:00.000Z');
  store.close();
});

test('different settings make a different case; list, find by hash, notes and delete', async () => {
  const scan = await scannedFixture('one-face');
  const other = structuredClone(scan);
  other.settings.minFaceSize = 32;
  const store = openCaseStore(freshDir());
  const a = store.saveScan(scan, { now: '2026-01-01T00:00:00.000Z' });
  const b = store.saveScan(other, { now: '2026-01-02T00:00:00.000Z' });
  assert.notEqual(a.caseId, b.caseId);
  assert.deepEqual(
    store.listCases().map((c) => c.id),
    [b.caseId, a.caseId],
    'newest first',
  );
  assert.equal(store.findCasesBySha256(scan.input.sha256).length, 2);
  assert.equal(store.findCasesBySha256('0'.repeat(64)).length, 0);
  // The number a report prints ("Case 0123456789ab") finds the case as the full id does.
  store.setNotes(caseNumber(a.caseId), 'checked with the source');
  assert.equal(store.getCase(caseNumber(a.caseId))!.id, a.caseId);
  assert.equal(store.getCase(a.caseId)!.notes, 'checked with the source');
  assert.equal(store.deleteCase(a.caseId), true);
  assert.equal(store.deleteCase(a.caseId), false);
  assert.equal(store.getCase(a.caseId), undefined);
  assert.throws(
    () => store.requireCase(a.caseId),
    (e: unknown) => e instanceof UnmaskError && e.code === 'caseNotFound',
  );
  assert.throws(
    () => store.setNotes(a.caseId, 'x'),
    (e: unknown) => e instanceof UnmaskError && e.code === 'caseNotFound',
  );
  const db = new Database(store.path, { readonly: true });
  const orphans = db.prepare('SELECT count(*) n FROM faces WHERE case_id = ?').get(a.caseId) as { n: number };
  assert.equal(orphans.n, 0, 'deleting a case deletes its faces');
  db.close();
  store.close();
});

test('the library survives reopening, and uses WAL', async () => {
  const scan = await scannedFixture('one-face');
  const dir = freshDir();
  const store = openCaseStore(dir);
  const { caseId } = store.saveScan(scan);
  store.close();
  const reopened = openCaseStore(dir);
  assert.deepEqual(reopened.requireCase(caseId).scan, scan);
  assert.equal(reopened.schemaVersion, LATEST_SCHEMA_VERSION);
  reopened.close();
  const db = new Database(join(dir, CASE_DATABASE_FILE), { readonly: true });
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  db.close();
});

test('an older database is migrated forward and keeps its cases', () => {
  const dir = freshDir();
  const db = new Database(join(dir, CASE_DATABASE_FILE));
  db.exec(MIGRATIONS[0]!.sql);
  db.pragma('user_version = 1');
  db.prepare(
    `INSERT INTO cases (id, status, created_at, updated_at, input_path, file_name, size_bytes, sha256,
      scan_format_version, probe_json, settings_json, engine_json, verdict_label, verdict_score, verdict_strength,
      verdict_json, summary_json, run_json)
     VALUES ('case-old', 'complete', '2025-01-01', '2025-01-01', '/v.mp4', 'v.mp4', 1, ?, 2, '{}', '{}', '{}',
      'inconclusive', 0.5, 'weak', '{}', '{"sampledFrames":3,"tracks":1}', '{}')`,
  ).run('a'.repeat(64));
  db.close();
  const store = openCaseStore(dir);
  assert.equal(store.schemaVersion, LATEST_SCHEMA_VERSION);
  const [old] = store.listCases();
  assert.equal(old!.id, 'case-old');
  assert.equal(old!.sampledFrames, 3);
  store.close();
  const check = new Database(join(dir, CASE_DATABASE_FILE), { readonly: true });
  const row = check.prepare(`SELECT provenance_json FROM cases WHERE id = 'case-old'`).get() as {
    provenance_json: string;
  };
  assert.equal(row.provenance_json, '{}', 'the column added by migration 2 has its default');
  check.close();
});

test('a database from a newer Unmask is refused without being touched', () => {
  const dir = freshDir();
  const db = new Database(join(dir, CASE_DATABASE_FILE));
  db.exec('CREATE TABLE future (x)');
  db.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 1}`);
  db.close();
  assert.throws(
    () => openCaseStore(dir),
    (e: unknown) => e instanceof UnmaskError && e.code === 'storeTooNew' && /newer Unmask/.test(e.message),
  );
  const check = new Database(join(dir, CASE_DATABASE_FILE), { readonly: true });
  assert.equal(check.pragma('user_version', { simple: true }), LATEST_SCHEMA_VERSION + 1);
  assert.equal(
    (check.prepare(`SELECT count(*) n FROM sqlite_master WHERE name = 'cases'`).get() as { n: number }).n,
    0,
  );
  check.close();
});

test('a file that is not a database gives a clear error', () => {
  const dir = freshDir();
  writeFileSync(join(dir, CASE_DATABASE_FILE), 'this is not sqlite'.repeat(200));
  assert.throws(
    () => openCaseStore(dir),
    (e: unknown) => e instanceof UnmaskError && e.code === 'storeUnreadable',
  );
});

test('incomplete rows left by a dead writer are never listed and are cleaned on open', async () => {
  const scan = await scannedFixture('one-face');
  const dir = freshDir();
  const store = openCaseStore(dir);
  const { caseId } = store.saveScan(scan);
  store.close();
  const db = new Database(join(dir, CASE_DATABASE_FILE));
  db.prepare(`UPDATE cases SET status = 'incomplete' WHERE id = ?`).run(caseId);
  db.close();
  const reopened = openCaseStore(dir);
  assert.equal(reopened.listCases().length, 0);
  assert.equal(reopened.getCase(caseId), undefined);
  reopened.close();
  const check = new Database(join(dir, CASE_DATABASE_FILE), { readonly: true });
  assert.equal((check.prepare('SELECT count(*) n FROM faces').get() as { n: number }).n, 0);
  check.close();
});
