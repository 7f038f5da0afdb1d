import assert from 'node:assert/strict';
import { test } from 'node:test';
import { attemptsUsed, batchTotals, csvField, summaryCsv, type BatchSummaryRow } from './batch-summary.ts';

const row = (patch: Partial<BatchSummaryRow>): BatchSummaryRow => ({
  file: '/clips/a.mp4',
  sha256: 'a'.repeat(64),
  status: 'completed',
  verdict: 'no-manipulation-detected',
  score: 0.12,
  caseId: 'case-1',
  error: null,
  attempts: 1,
  scannedBy: 'host:1',
  source: 'new-job',
  ...patch,
});

test('CSV fields are quoted only when needed, with inner quotes doubled', () => {
  assert.equal(csvField(null), '');
  assert.equal(csvField(0.5), '0.5');
  assert.equal(csvField('plain.mp4'), 'plain.mp4');
  assert.equal(csvField('a, b.mp4'), '"a, b.mp4"');
  assert.equal(csvField('Input "x" is bad'), '"Input ""x"" is bad"');
  assert.equal(csvField('line\nbreak'), '"line\nbreak"');
});

test('the CSV has a header and one CRLF row per file in a fixed column order', () => {
  const csv = summaryCsv([
    row({}),
    row({ file: '/clips/b, c.mp4', status: 'failed', verdict: null, score: null, error: 'not "media"' }),
  ]);
  const lines = csv.split('\r\n');
  assert.equal(lines[0], 'file,status,verdict,score,caseId,error,sha256,attempts,scannedBy,source');
  assert.equal(
    lines[1],
    `/clips/a.mp4,completed,no-manipulation-detected,0.12,case-1,,${'a'.repeat(64)},1,host:1,new-job`,
  );
  assert.ok(lines[2]!.startsWith('"/clips/b, c.mp4",failed,,,case-1,"not ""media""",'));
  assert.equal(lines[3], '');
});

test('totals count files by status and jobs by distinct content', () => {
  const totals = batchTotals([
    row({}),
    row({ file: '/clips/copy.mp4' }), // same bytes, same job
    row({ file: '/clips/b.mp4', sha256: 'b'.repeat(64), source: 'existing-job', status: 'failed' }),
    row({ file: '/clips/c.mp4', sha256: 'c'.repeat(64), source: 'case-library' }),
    row({ file: '/clips/d.mp4', sha256: null, source: 'not-submitted', status: 'failed' }),
    row({ file: '/clips/e.mp4', sha256: 'e'.repeat(64), status: 'pending' }),
  ]);
  assert.deepEqual(totals, {
    files: 6,
    completed: 3,
    failed: 2,
    pending: 1,
    newJobs: 2,
    existingJobs: 1,
    fromLibrary: 1,
  });
});

test('attempts count what the workers count: finished ones and the one running, never a dead worker', () => {
  // A job whose first worker was killed and whose second finished: BullMQ started it twice, counted one attempt.
  assert.equal(attemptsUsed('completed', 1), 1);
  assert.equal(attemptsUsed('failed', 3), 3);
  assert.equal(attemptsUsed('active', 0), 1, 'the first attempt, under way');
  assert.equal(attemptsUsed('active', 1), 2, 'a retry, under way');
  assert.equal(attemptsUsed('delayed', 1), 1, 'waiting to retry');
  assert.equal(attemptsUsed('waiting', 0), 0, 'back in the queue after its worker died');
});
