import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runUnmask } from '../testing/run-cli.ts';

test('eval-faces and train-detector refuse a --max-outside outside (0, 1] before any work', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'unmask-eval-faces-'));
  for (const command of ['eval-faces', 'train-detector'])
    for (const value of ['0', '1.5', 'abc']) {
      const result = runUnmask([command, '--faces', dir, '--max-outside', value, '--out', join(dir, 'out')]);
      assert.notEqual(result.status, 0, `${command} --max-outside ${value}`);
      assert.match(
        result.stderr,
        /^error: option '--max-outside <fraction>' argument '.*' is invalid\. must lie in \(0, 1\]/,
      );
    }
});

test('train-detector refuses a --reencode-real CRF outside 0–51 before any work', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'unmask-train-'));
  for (const value of ['52', '-1', '28.5', 'abc']) {
    const result = runUnmask([
      'train-detector',
      '--real',
      dir,
      '--reencode-real',
      '30',
      value,
      '--out',
      join(dir, 'out'),
    ]);
    assert.notEqual(result.status, 0, `--reencode-real 30 ${value}`);
    assert.match(
      result.stderr,
      /^error: option '--reencode-real <crf\.\.\.>' argument '.*' is invalid\. must be an integer 0–51/,
    );
  }
});

test('unmask eval-faces names a folder without metadata.csv', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'unmask-eval-faces-'));
  const result = runUnmask(['eval-faces', '--faces', dir, '--max-outside', '1', '--out', join(dir, 'out')]);
  assert.notEqual(result.status, 0);
  assert.match(result.stderr, /has no metadata\.csv/);
});
