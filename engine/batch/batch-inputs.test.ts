import assert from 'node:assert/strict';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { EXIT_CODES, UnmaskError } from '../util/errors.ts';
import { isVideoFileName, listBatchInputs, parseFileList } from './batch-inputs.ts';

test('a folder gives its videos recursively, sorted, skipping hidden files and other types', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'unmask-inputs-'));
  await mkdir(join(dir, 'day 2', '.cache'), { recursive: true });
  for (const name of ['b.mp4', 'a.MOV', 'notes.txt', '.hidden.mp4', '._a.mp4'])
    await writeFile(join(dir, name), 'x');
  await writeFile(join(dir, 'day 2', 'c.webm'), 'x');
  await writeFile(join(dir, 'day 2', '.cache', 'd.mp4'), 'x');
  assert.deepEqual(await listBatchInputs(dir), [
    join(dir, 'a.MOV'),
    join(dir, 'b.mp4'),
    join(dir, 'day 2', 'c.webm'),
  ]);
});

test('a list file gives its paths, relative to the list, without blanks, comments or repeats', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'unmask-inputs-'));
  const list = join(dir, 'todo.txt');
  await writeFile(list, '# clips for case 12\r\nclips/one.mp4\n\n/srv/share/two.mov\nclips/one.mp4\n');
  assert.deepEqual(await listBatchInputs(list), ['/srv/share/two.mov', join(dir, 'clips', 'one.mp4')]);
  assert.deepEqual(parseFileList('  a.mp4  \n#b.mp4\n', '/base'), ['/base/a.mp4']);
});

test('a single video is a batch of one; missing and empty sources are clear errors', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'unmask-inputs-'));
  await writeFile(join(dir, 'clip.mkv'), 'x');
  assert.deepEqual(await listBatchInputs(join(dir, 'clip.mkv')), [join(dir, 'clip.mkv')]);
  await assert.rejects(listBatchInputs(join(dir, 'nope')), (e: unknown) => {
    assert.ok(e instanceof UnmaskError);
    return e.exitCode === EXIT_CODES.inputNotFound;
  });
  await mkdir(join(dir, 'empty'));
  await assert.rejects(listBatchInputs(join(dir, 'empty')), (e: unknown) => {
    assert.ok(e instanceof UnmaskError);
    assert.match(e.message, /No video files in/);
    return e.exitCode === EXIT_CODES.batchNoVideos;
  });
  assert.equal(isVideoFileName('x.M4V'), true);
  assert.equal(isVideoFileName('x.jpg'), false);
});
