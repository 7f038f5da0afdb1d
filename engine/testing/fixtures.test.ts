import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { resolveFfmpeg } from '../runtime/ffmpeg.ts';
import { FIXTURE_KINDS, makeFixtureVideo, VFR_FIXTURE_TIMES } from './fixtures.ts';

function ffprobeJson(path: string, args: string[]): unknown {
  const bin = resolveFfmpeg().ffprobe.path;
  return JSON.parse(
    execFileSync(bin, ['-v', 'error', '-of', 'json', ...args, path], { encoding: 'utf8', stdio: 'pipe' }),
  );
}

const built = new Map<string, string>();

before(async () => {
  for (const kind of FIXTURE_KINDS) built.set(kind, await makeFixtureVideo(kind));
});

test('every kind is built once, small, and reused from the cache', async () => {
  for (const kind of FIXTURE_KINDS) {
    const path = built.get(kind)!;
    const info = await stat(path);
    assert.ok(info.isFile(), kind);
    assert.ok(info.size < 2 * 1024 * 1024, `${kind} is ${info.size} bytes`);
    assert.equal(info.size === 0, kind === 'zero-byte', kind);
    const again = await makeFixtureVideo(kind);
    assert.equal(again, path);
    assert.equal((await stat(again)).mtimeMs, info.mtimeMs, `${kind} was rebuilt`);
  }
  assert.match(built.get('unicode-path')!, /ünïcode dir\/clip with spaces ✓\.mp4$/);
});

test('one-face pans: its frames 0 and 50 differ clearly', () => {
  const raw = execFileSync(
    resolveFfmpeg().ffmpeg.path,
    [
      '-v',
      'error',
      '-i',
      built.get('one-face')!,
      '-vf',
      "select='eq(n,0)+eq(n,50)'",
      '-vsync',
      'passthrough',
    ].concat(['-f', 'rawvideo', '-pix_fmt', 'rgb24', '-']),
    { maxBuffer: 8 * 1024 * 1024, stdio: 'pipe' },
  );
  const size = 640 * 360 * 3;
  assert.equal(raw.length, 2 * size);
  let diff = 0;
  for (let i = 0; i < size; i++) diff += Math.abs(raw[i]! - raw[size + i]!);
  assert.ok(diff / size > 5, `mean difference ${diff / size}`);
});

test('rotated-90 carries a display matrix that ffprobe reads as 90° clockwise', () => {
  const data = ffprobeJson(built.get('rotated-90')!, ['-show_streams']) as {
    streams: Array<{ width: number; height: number; side_data_list?: Array<{ rotation?: number }> }>;
  };
  const stream = data.streams[0]!;
  assert.deepEqual([stream.width, stream.height], [640, 360]);
  assert.equal(stream.side_data_list?.find((s) => s.rotation !== undefined)?.rotation, -90);
});

test('vfr has the uneven packet timestamps of VFR_FIXTURE_TIMES', () => {
  const data = ffprobeJson(built.get('vfr')!, ['-show_entries', 'packet=pts_time']) as {
    packets: Array<{ pts_time: string }>;
  };
  const pts = data.packets.map((p) => Number(p.pts_time)).sort((a, b) => a - b);
  assert.equal(pts.length, VFR_FIXTURE_TIMES.length);
  pts.forEach((t, i) => assert.ok(Math.abs(t - VFR_FIXTURE_TIMES[i]!) < 1e-3, `packet ${i}: ${t}`));
});

test('truncated keeps the first 40 % of one-face, which holds no moov atom', async () => {
  const whole = (await stat(built.get('one-face')!)).size;
  const cut = (await stat(built.get('truncated')!)).size;
  assert.equal(cut, Math.floor(whole * 0.4));
  assert.throws(() => ffprobeJson(built.get('truncated')!, ['-show_format']), /moov atom not found/);
});

test('a custom cache dir is filled atomically: no temporary files are left behind', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'unmask-fixtures-test-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const [a, b] = await Promise.all([
    makeFixtureVideo('no-faces', { cacheDir: dir }),
    makeFixtureVideo('no-faces', { cacheDir: dir }),
  ]);
  assert.equal(a, b);
  assert.equal(a, join(dir, 'no-faces.mp4'));
  const rebuilt = await makeFixtureVideo('no-faces', { cacheDir: dir, rebuild: true });
  assert.equal(rebuilt, a);
  assert.deepEqual(await readdir(dir), ['no-faces.mp4']);
});
