import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { makeFixtureVideo } from '../testing/fixtures.ts';
import type { ProgressEvent } from '../util/progress.ts';
import { probeVideo } from './probe.ts';
import { cachedReencodedCopies } from './reencode.ts';

const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

test('re-encoded copies are made once per CRF, readable, smaller at a higher CRF, and reused', async () => {
  const video = await makeFixtureVideo('one-face');
  const dir = await mkdtemp(join(tmpdir(), 'unmask-reencode-'));
  dirs.push(dir);
  const events: ProgressEvent[] = [];
  const copies = await cachedReencodedCopies([video], [20, 45], dir, (e) => events.push(e));
  assert.equal(copies.length, 2);
  assert.match(copies[0]!, /one-face-[0-9a-f]{8}-crf20\.mp4$/);
  assert.match(copies[1]!, /one-face-[0-9a-f]{8}-crf45\.mp4$/);
  const [fine, coarse] = await Promise.all(copies.map((c) => stat(c)));
  assert.ok(
    coarse!.size < fine!.size,
    `CRF 45 (${coarse!.size} B) should be smaller than CRF 20 (${fine!.size} B)`,
  );
  const probed = await probeVideo(copies[1]!);
  assert.equal(probed.video.codec, 'h264');
  assert.equal(probed.video.displayWidth, 640);
  assert.deepEqual(events.at(-1), { stage: 'reencode', done: 2, total: 2, detail: 'done' });
  assert.deepEqual((await readdir(dir)).sort(), copies.map((c) => c.slice(dir.length + 1)).sort());

  const again = await cachedReencodedCopies([video], [20, 45], dir, () => undefined);
  assert.deepEqual(again, copies);
  assert.equal((await stat(copies[0]!)).mtimeMs, fine!.mtimeMs, 'a finished copy is not made again');
});

test('re-encoding stops before the next copy once aborted', async () => {
  const video = await makeFixtureVideo('one-face');
  const dir = await mkdtemp(join(tmpdir(), 'unmask-reencode-'));
  dirs.push(dir);
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(
    cachedReencodedCopies([video], [30], dir, () => undefined, controller.signal),
    {
      name: 'AbortError',
    },
  );
  assert.deepEqual(await readdir(dir), []);
});
