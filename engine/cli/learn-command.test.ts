import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeFixtureVideo } from '../testing/fixtures.ts';
import { runUnmask } from '../testing/run-cli.ts';
import { EXIT_CODES } from '../util/errors.ts';

test('unmask learn prints old- and new-task AUC before and after, and writes the model with its importance', async () => {
  const real = await makeFixtureVideo('one-face');
  const fake = await makeFixtureVideo('two-faces');
  const out = await mkdtemp(join(tmpdir(), 'unmask-learn-'));
  const result = runUnmask([
    'learn',
    '--real',
    real,
    '--fake',
    fake,
    '--out',
    out,
    '--steps',
    '3',
    '--fps',
    '3',
  ]);
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /\| old: self-blended fakes .* \| (\d\.\d{3}|n\/a) \| (\d\.\d{3}|n\/a) \|/);
  assert.match(result.stdout, /\| new: .* \| (\d\.\d{3}|n\/a) \| (\d\.\d{3}|n\/a) \|/);
  for (const file of ['model.json', 'weights.bin', 'manifest.json', 'mas.bin'])
    assert.ok(existsSync(join(out, 'model', file)), file);
});

test('a negative or non-numeric λ is refused before any work', () => {
  for (const lambda of ['-1', 'NaN']) {
    const result = runUnmask(['learn', '--real', 'a', '--fake', 'b', '--out', 'c', '--lambda', lambda]);
    assert.equal(result.status, EXIT_CODES.usage, result.stderr);
  }
});
