import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { link, mkdtemp, readFile, readdir, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { UnmaskError } from './errors.ts';
import { isSameFile, sha256Bytes, sha256File, STALE_PARTIAL_MS, writeFileAtomic } from './files.ts';

test('sha256File matches the known digest of "abc"', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'unmask-files-'));
  const path = join(dir, 'abc.txt');
  await writeFile(path, 'abc');
  const expected = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
  assert.equal(await sha256File(path), expected);
  assert.equal(sha256Bytes('abc'), expected);
});

test('writeFileAtomic writes the whole file and leaves no temporary behind', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'unmask-files-'));
  const path = join(dir, 'nested', 'out.json');
  await writeFileAtomic(path, '{"ok":true}');
  assert.equal(await readFile(path, 'utf8'), '{"ok":true}');
  assert.deepEqual(await readdir(join(dir, 'nested')), ['out.json']);
});

test('writeFileAtomic onto a path whose parent is a file fails with outputNotWritable', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'unmask-files-'));
  await writeFile(join(dir, 'blocker'), 'x');
  await assert.rejects(writeFileAtomic(join(dir, 'blocker', 'out.json'), 'x'), (error: unknown) => {
    assert.ok(error instanceof UnmaskError);
    assert.equal(error.code, 'outputNotWritable');
    return true;
  });
  assert.deepEqual(await readdir(dir), ['blocker']);
});

test('isSameFile sees one file through its path, a hard link and a symbolic link', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'unmask-files-'));
  const video = join(dir, 'evidence.mp4');
  await writeFile(video, 'video bytes');
  await link(video, join(dir, 'hard.mp4'));
  await symlink(video, join(dir, 'soft.mp4'));
  await writeFile(join(dir, 'copy.mp4'), 'video bytes');
  assert.equal(isSameFile(video, join(dir, '.', 'evidence.mp4')), true);
  assert.equal(isSameFile(join(dir, 'hard.mp4'), video), true);
  assert.equal(isSameFile(join(dir, 'soft.mp4'), video), true);
  assert.equal(isSameFile(join(dir, 'copy.mp4'), video), false);
  assert.equal(isSameFile(join(dir, 'new.json'), video), false, 'an output that does not exist yet');
});

test('a partial file left by a killed writer is removed by the next write in its folder; live ones stay', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'unmask-files-'));
  const dead = spawnSync(process.execPath, ['-e', '']).pid!;
  const old = new Date(Date.now() - 2 * STALE_PARTIAL_MS);
  const stale = join(dir, `.report.pdf.${dead}.1700000000000.partial`);
  const recent = join(dir, `.other.pdf.${dead}.1700000000001.partial`);
  const live = join(dir, `.mine.pdf.${process.pid}.1700000000002.partial`);
  const unrelated = join(dir, '.notes.partial');
  for (const path of [stale, recent, live, unrelated]) await writeFile(path, '%PDF-1.7 half');
  for (const path of [stale, live, unrelated]) await utimes(path, old, old);
  await writeFileAtomic(join(dir, 'report.pdf'), '%PDF-1.7 whole');
  assert.deepEqual(
    (await readdir(dir)).sort(),
    [
      '.mine.pdf.' + process.pid + '.1700000000002.partial',
      '.notes.partial',
      `.other.pdf.${dead}.1700000000001.partial`,
      'report.pdf',
    ].sort(),
  );
  assert.equal(await readFile(join(dir, 'report.pdf'), 'utf8'), '%PDF-1.7 whole');
});
