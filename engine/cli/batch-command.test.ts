import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runUnmask } from '../testing/run-cli.ts';
import { EXIT_CODES } from '../util/errors.ts';
import { summaryPaths } from './batch-command.ts';

// Port 1 on loopback: nothing listens there, so the connection is refused at once.
const NOBODY = 'redis://127.0.0.1:1';

test('batch and worker refuse an unreachable queue with one line and exit 70', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'unmask-batch-cli-'));
  await writeFile(join(dir, 'clip.mp4'), 'not really a video');
  for (const args of [
    ['batch', dir, '--queue', NOBODY],
    ['worker', '--queue', NOBODY],
  ]) {
    const result = runUnmask(args);
    assert.equal(result.status, EXIT_CODES.queueUnreachable, result.stderr);
    assert.match(
      result.stderr,
      /^unmask: Cannot reach the queue at redis:\/\/127\.0\.0\.1:1 \(.*\)\. Start Redis/,
    );
    assert.equal(result.stderr.trim().split('\n').length, 1, 'one line, no stack trace');
  }
});

test('a bad --queue address is a usage error; a folder without videos is exit 71', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'unmask-batch-cli-'));
  const bad = runUnmask(['batch', dir, '--queue', 'http://127.0.0.1:6379']);
  assert.equal(bad.status, EXIT_CODES.usage);
  assert.match(bad.stderr, /unsupported scheme "http:"/);
  const empty = runUnmask(['batch', dir, '--queue', NOBODY]);
  assert.equal(empty.status, EXIT_CODES.batchNoVideos, empty.stderr);
  assert.match(empty.stderr, /No video files in/);
});

test('--summary names both files, with or without an extension', () => {
  assert.deepEqual(summaryPaths('out/june'), { csv: 'out/june.csv', json: 'out/june.json' });
  assert.deepEqual(summaryPaths('june.CSV'), { csv: 'june.csv', json: 'june.json' });
  assert.deepEqual(summaryPaths('june.json'), { csv: 'june.csv', json: 'june.json' });
});
