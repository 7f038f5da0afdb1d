import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeFixtureVideo } from '../testing/fixtures.ts';
import { runUnmask } from '../testing/run-cli.ts';
import { EXIT_CODES } from '../util/errors.ts';

test('swap train without --consent writes nothing and exits 40', async () => {
  const video = await makeFixtureVideo('one-face');
  const out = join(await mkdtemp(join(tmpdir(), 'unmask-swap-cli-')), 'project');
  const result = runUnmask(['swap', 'train', '--a', video, '--b', video, '--out', out, '--steps', '1']);
  assert.equal(result.status, EXIT_CODES.swapConsentMissing, result.stderr);
  assert.match(result.stderr, /without consent.*--consent/);
  assert.equal(existsSync(out), false, 'nothing was written');
  const short = runUnmask(['swap', 'train', '--a', video, '--b', video, '--out', out, '--consent', 'yes']);
  assert.equal(short.status, EXIT_CODES.swapConsentMissing);
  assert.match(short.stderr, /too short/);
  assert.equal(existsSync(out), false);
});

test('an identity with too few usable faces is named, with the number needed, and nothing is written', async () => {
  const video = await makeFixtureVideo('one-face');
  const empty = await makeFixtureVideo('no-faces');
  const out = join(await mkdtemp(join(tmpdir(), 'unmask-swap-cli-')), 'project');
  const result = runUnmask([
    'swap',
    'train',
    '--a',
    video,
    '--b',
    empty,
    '--out',
    out,
    '--fps',
    '2',
    '--min-faces',
    '4',
    '--consent',
    'Fixture images of public-domain portraits, for tests',
  ]);
  assert.equal(result.status, EXIT_CODES.swapTooFewFaces, result.stderr);
  assert.match(result.stderr, /Identity B has 0 usable training faces, 4 are needed/);
  assert.equal(existsSync(out), false, 'no partial project');
});

test('swap render and reenact refuse to run without consent, and render refuses its own input', async () => {
  const video = await makeFixtureVideo('one-face');
  const dir = await mkdtemp(join(tmpdir(), 'unmask-swap-cli-'));
  const out = join(dir, 'out.mp4');
  const render = runUnmask(['swap', 'render', '--project', dir, '--input', video, '--to', 'b', '--out', out]);
  assert.equal(render.status, EXIT_CODES.swapConsentMissing, render.stderr);
  const reenact = runUnmask(['reenact', '--driver', video, '--target', `${dir}:b`, '--out', out]);
  assert.equal(reenact.status, EXIT_CODES.swapConsentMissing, reenact.stderr);
  assert.equal(existsSync(out), false);
  const onItself = runUnmask([
    'swap',
    'render',
    '--project',
    dir,
    '--input',
    video,
    '--to',
    'b',
    '--out',
    video,
    '--consent',
    'Fixture images of public-domain portraits, for tests',
  ]);
  assert.equal(onItself.status, EXIT_CODES.swapOutputIsInput, onItself.stderr);
  assert.match(onItself.stderr, /onto the input itself/);
});
