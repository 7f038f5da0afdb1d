import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeFixtureVideo } from '../testing/fixtures.ts';
import { runUnmask } from '../testing/run-cli.ts';

test('unmask eval scans labelled videos, prints the metrics and writes eval.json and roc.png', async () => {
  const real = await makeFixtureVideo('one-face');
  const fake = await makeFixtureVideo('two-faces');
  const out = await mkdtemp(join(tmpdir(), 'unmask-eval-'));
  const result = runUnmask([
    'eval',
    '--real',
    real,
    '--fake',
    fake,
    '--fps',
    '2',
    '--reencode',
    '35',
    '--out',
    out,
    '--save-scans',
  ]);
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /video-level AUC/);
  assert.match(result.stdout, /Re-encoded \(H\.264 CRF 35\)/);
  assert.match(result.stdout, /false-positive rate/);
  const report = JSON.parse(readFileSync(join(out, 'eval.json'), 'utf8')) as {
    rows: Array<{ label: number; score: number | null; reencodedScore: number | null }>;
    summary: { videos: { real: number; fake: number }; videoLevel: { auc: number } };
  };
  assert.deepEqual(report.summary.videos, { real: 1, fake: 1, unjudged: 0 });
  assert.ok(
    report.summary.videoLevel.auc === 0 ||
      report.summary.videoLevel.auc === 1 ||
      report.summary.videoLevel.auc === 0.5,
  );
  for (const row of report.rows) {
    assert.ok(row.score !== null && row.score >= 0 && row.score <= 1);
    assert.ok(row.reencodedScore !== null && row.reencodedScore! >= 0 && row.reencodedScore! <= 1);
  }
  // --save-scans keeps each scan (and its re-encoded copy's) for studying frame and track scores.
  const saved = readdirSync(join(out, 'scans')).sort();
  assert.equal(saved.length, 4);
  const scoreOf = (name: string) =>
    (JSON.parse(readFileSync(join(out, 'scans', name), 'utf8')) as { verdict: { score: number | null } })
      .verdict.score;
  assert.equal(
    scoreOf(saved.find((n) => n.startsWith('000-') && !n.includes('-crf35'))!),
    report.rows[0]!.score,
  );
  assert.equal(
    scoreOf(saved.find((n) => n.startsWith('001-') && n.endsWith('-crf35.json'))!),
    report.rows[1]!.reencodedScore,
  );
  const png = readFileSync(join(out, 'roc.png'));
  assert.deepEqual([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  assert.ok(existsSync(join(out, 'eval.json')));
});

test('unmask eval with no videos is a clear error', async () => {
  const empty = await mkdtemp(join(tmpdir(), 'unmask-eval-empty-'));
  const result = runUnmask(['eval', '--real', empty, '--out', join(empty, 'out')]);
  assert.notEqual(result.status, 0);
  assert.match(result.stderr, /^unmask: No videos found/);
});
