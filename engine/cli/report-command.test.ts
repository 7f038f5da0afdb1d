import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseReport } from '../report/report-format.ts';
import { makeFixtureVideo } from '../testing/fixtures.ts';
import { runUnmask } from '../testing/run-cli.ts';
import { EXIT_CODES } from '../util/errors.ts';

test('unmask report: from a case id (JSON, HTML) and from a scan file; clear errors otherwise', async () => {
  const video = await makeFixtureVideo('one-face');
  const dir = mkdtempSync(join(tmpdir(), 'unmask-report-cli-'));
  const scanFile = join(dir, 'scan.json');
  const scan = runUnmask(['scan', video, '--max-frames', '6', '--data-dir', dir, '--out', scanFile]);
  assert.equal(scan.status, 0, scan.stderr);
  const caseId = /Saved as (case-[0-9a-f]{12})/.exec(scan.stderr)![1]!;

  // The number a report prints finds the case; --analyst and --organisation go into the report.
  const number = caseId.slice('case-'.length);
  const by = ['--analyst', 'Dana Reyes', '--organisation', 'Verification Desk'];
  const json = runUnmask(['report', number, '--data-dir', dir, '--out', join(dir, 'r.json'), ...by]);
  assert.equal(json.status, 0, json.stderr);
  const report = parseReport(JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')));
  assert.equal(report.caseId, caseId);
  assert.deepEqual(report.analyst, { name: 'Dana Reyes', organisation: 'Verification Desk' });

  const html = runUnmask(['report', scanFile, '--format', 'html', '--out', join(dir, 'report.htm')]);
  assert.equal(html.status, 0, html.stderr);
  const page = readFileSync(join(dir, 'report.htm'), 'utf8');
  assert.ok(page.includes(report.input.sha256));
  assert.doesNotMatch(page, /<script/i, 'no scripts');
  assert.doesNotMatch(page, /(src|href)="(?!data:)|url\(/i, 'self-contained: nothing loaded from outside');

  const unknown = runUnmask(['report', 'case-ffffffffffff', '--data-dir', dir, '--out', join(dir, 'x.json')]);
  assert.equal(unknown.status, EXIT_CODES.caseNotFound);
  writeFileSync(join(dir, 'other.json'), '{"hello": 1}');
  const notScan = runUnmask(['report', join(dir, 'other.json'), '--out', join(dir, 'x.json')]);
  assert.equal(notScan.status, EXIT_CODES.usage);
  assert.match(notScan.stderr, /is not an Unmask scan file/);
  const noFormat = runUnmask(['report', scanFile, '--out', join(dir, 'x.txt')]);
  assert.equal(noFormat.status, EXIT_CODES.usage);
  assert.match(noFormat.stderr, /--format json\|html\|pdf/);
  const overwrite = runUnmask(['report', scanFile, '--format', 'html', '--out', video]);
  assert.equal(overwrite.status, EXIT_CODES.usage);
});
