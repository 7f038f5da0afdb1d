import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRequestArgs } from '../common/contract.ts';
import { folderToReveal } from './folder-to-reveal.ts';

const written = {
  reportsDir: '/data/reports',
  renderOutput: (jobId: string) => (jobId === 'render-0123456789ab' ? '/home/ada/out/swap.mp4' : undefined),
};

test('only folders the app wrote are revealed: a case reports folder, a finished render folder', () => {
  assert.equal(
    folderToReveal({ kind: 'report', caseId: 'case-0123456789ab' }, written),
    '/data/reports/case-0123456789ab',
  );
  assert.equal(folderToReveal({ kind: 'render', jobId: 'render-0123456789ab' }, written), '/home/ada/out');
  assert.equal(
    folderToReveal({ kind: 'render', jobId: 'render-ffffffffffff' }, written),
    null,
    'unknown job',
  );
});

test('case ids cannot climb out of the reports folder', () => {
  for (const caseId of ['..', '.', '../..', '../../etc', 'a/b', '/etc/passwd', 'case/../../x'])
    assert.equal(folderToReveal({ kind: 'report', caseId }, written), null, caseId);
});

test('a client-supplied path is refused at the boundary', () => {
  assert.throws(() => parseRequestArgs('revealOutput', { path: '/etc/passwd/x' }));
  assert.throws(() => parseRequestArgs('revealOutput', { kind: 'report', caseId: 'c', path: '/etc' }));
  assert.throws(() => parseRequestArgs('revealOutput', { kind: 'render', jobId: '/etc/passwd' }));
});
