import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildDetectorNetwork } from '../detect/detector-network.ts';
import { DEFAULT_DETECTOR_CONFIG } from '../detect/detector.ts';
import { anchorWeights, disposeImportance } from '../learn/mas.ts';
import { loadMasAnchor, saveMasAnchor } from '../learn/mas-io.ts';
import { loadLayersModel } from '../models/layers-model-io.ts';
import { initTensorflow, tf } from '../runtime/tensorflow.ts';
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
  assert.match(result.stdout, /\| old: real vs self-blends \| .* \| (\d\.\d{3}|n\/a) \| (\d\.\d{3}|n\/a) \|/);
  assert.match(result.stdout, /\| new: real vs --fake \| .* \| (\d\.\d{3}|n\/a) \| (\d\.\d{3}|n\/a) \|/);
  // One source of each kind: no validation split, so all 3 steps run and the table says it is not held out.
  assert.match(result.stdout, /No validation split .* trained all 3 steps/);
  assert.match(result.stdout, /training split, not held out/);
  assert.match(result.stdout, /Calibration kept from the starting model \(nothing held out/);
  for (const file of ['model.json', 'weights.bin', 'manifest.json', 'mas.bin'])
    assert.ok(existsSync(join(out, 'model', file)), file);

  // The forgetting benchmark's λ by default, and Ω on real faces plus their self-blends, scaled to mean 1.
  assert.match(
    result.stdout,
    /λ = 1; MAS Ω of both outputs \(logit and boundary map\) on (\d+) old-task inputs \((\d+) real faces and a self-blend of each\), scaled to mean 1/,
  );
  const [, inputs, faces] = / on (\d+) old-task inputs \((\d+) real/.exec(result.stdout)!;
  assert.equal(Number(inputs), 2 * Number(faces));
  await initTensorflow();
  const { model, manifest } = await loadLayersModel(join(out, 'model'));
  const tasks = manifest.metadata['learnedTasks'] as Array<{
    lambda: number;
    steps: number;
    importance: string;
    importanceOutputs?: string;
  }>;
  assert.equal(tasks.at(-1)!.lambda, 1);
  assert.equal(tasks.at(-1)!.importance, 'mas');
  assert.equal(tasks.at(-1)!.importanceOutputs, 'all');
  assert.equal(tasks.at(-1)!.steps, 3);
  const source = await readFile(join(DEFAULT_DETECTOR_CONFIG.modelDir, 'manifest.json'), 'utf8');
  assert.deepEqual(manifest.metadata['calibration'], JSON.parse(source).metadata.calibration);
  const anchor = await loadMasAnchor(join(out, 'model', 'mas.bin'), model);
  const values = [...anchor.importance.values()];
  const mean =
    values.reduce((s, t) => s + tf.tidy(() => tf.sum(t).dataSync()[0]!), 0) /
    values.reduce((s, t) => s + t.size, 0);
  assert.ok(Math.abs(mean - 1) < 1e-4, `mean Ω ${mean}`);
  disposeImportance(anchor.importance);
  disposeImportance(anchor.anchors);
  model.dispose();
});

test('a negative or non-numeric λ is refused before any work', () => {
  for (const lambda of ['-1', 'NaN']) {
    const result = runUnmask(['learn', '--real', 'a', '--fake', 'b', '--out', 'c', '--lambda', lambda]);
    assert.equal(result.status, EXIT_CODES.usage, result.stderr);
  }
});

test('an unknown importance kind is refused before any work, naming the kinds there are', () => {
  const result = runUnmask(['learn', '--real', 'a', '--fake', 'b', '--out', 'c', '--importance', 'fisher']);
  assert.equal(result.status, EXIT_CODES.usage, result.stderr);
  assert.match(result.stderr, /mas, hebbian/);
});

test('an importance file that does not fit the starting model is refused before any face is extracted', async () => {
  await initTensorflow();
  const dir = await mkdtemp(join(tmpdir(), 'unmask-learn-mismatch-'));
  await cp(DEFAULT_DETECTOR_CONFIG.modelDir, dir, { recursive: true });
  const other = buildDetectorNetwork({ inputSize: 16, widths: [4, 8], boundaryStage: 1, dropout: 0 }, 3);
  const weights = anchorWeights(other);
  await saveMasAnchor({ importance: weights, anchors: weights }, join(dir, 'mas.bin'));
  disposeImportance(weights);
  other.dispose();
  const result = runUnmask([
    'learn',
    '--real',
    'missing-real',
    '--fake',
    'missing-fake',
    '--out',
    dir,
    '--model',
    dir,
  ]);
  assert.equal(result.status, EXIT_CODES.modelLoadFailed, result.stderr);
  assert.match(result.stderr, /Importance file .*mas\.bin has \d+ weights; the model has \d+/);
});
