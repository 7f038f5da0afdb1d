import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { GRACE_HOPPER_JPG } from '../testing/fixtures.ts';
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

test('unmask eval-faces writes every scored face (image, label, logit, probability) beside the summary', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'unmask-eval-faces-'));
  await copyFile(GRACE_HOPPER_JPG, join(dir, 'hopper.jpg'));
  await copyFile(GRACE_HOPPER_JPG, join(dir, 'hopper-copy.jpg'));
  await writeFile(
    join(dir, 'metadata.csv'),
    'file,label,pair,split\nhopper.jpg,REAL,a,test\nhopper-copy.jpg,FAKE,a,test\n',
  );
  const out = join(dir, 'out');
  const result = runUnmask([
    'eval-faces',
    '--faces',
    dir,
    '--max-outside',
    '1',
    '--cache',
    join(dir, 'cache'),
    '--out',
    out,
  ]);
  assert.equal(result.status, 0, result.stderr);
  const report = JSON.parse(await readFile(join(out, 'eval-faces.json'), 'utf8'));
  const faces = report.faces.original as {
    source: string;
    label: number;
    logit: number;
    probability: number;
  }[];
  assert.deepEqual(faces.map((f) => [f.source, f.label]).sort(), [
    ['hopper-copy.jpg', 1],
    ['hopper.jpg', 0],
  ]);
  for (const face of faces) {
    assert.ok(Number.isFinite(face.logit) && face.probability > 0 && face.probability < 1);
  }
  assert.deepEqual(report.original.samples, { real: 1, fake: 1 });
  // The same image under both labels: one score twice, so the summary's AUC is a tie.
  assert.equal(faces[0]!.probability, faces[1]!.probability);
  assert.equal(report.original.auc, 0.5, 'the summary is of these faces');
  assert.equal(report.faces.reencoded, undefined, 'no re-encoded faces without --reencode');
});
