import assert from 'node:assert/strict';
import { mkdtemp, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { createFloatImage } from '../imaging/float-image.ts';
import { saveLayersModel, WEIGHTS_BIN } from '../models/layers-model-io.ts';
import { initTensorflow, tf } from '../runtime/tensorflow.ts';
import { UnmaskError } from '../util/errors.ts';
import { buildDetectorNetwork, type DetectorArchitecture } from './detector-network.ts';
import { loadDetector } from './detector.ts';

const tiny: DetectorArchitecture = { inputSize: 32, widths: [8, 12, 16], boundaryStage: 2, dropout: 0 };
let modelDir = '';

before(async () => {
  await initTensorflow();
  modelDir = await mkdtemp(join(tmpdir(), 'unmask-detector-'));
  const network = buildDetectorNetwork(tiny);
  await saveLayersModel(network, modelDir, {
    name: 'test-detector',
    version: 'test',
    architecture: tiny,
    calibration: { method: 'platt', a: 2, b: -1 },
  });
  network.dispose();
});

function crops(count: number) {
  return Array.from({ length: count }, (_, k) => {
    const crop = createFloatImage(32, 32, 3);
    for (let i = 0; i < crop.data.length; i++) crop.data[i] = ((i * 7 + k * 13) % 255) / 255;
    return crop;
  });
}

test('both heads have the documented shapes and probabilities are calibrated', async () => {
  const detector = await loadDetector({ modelDir, batchSize: 2 });
  const predictions = await detector.predict(crops(5));
  assert.equal(predictions.length, 5);
  for (const p of predictions) {
    assert.equal(p.boundary.length, 8 * 8, 'boundary map is (32 / 2^2)² = 8×8');
    assert.ok(p.boundary.every((v) => v >= 0 && v <= 1));
    assert.ok(
      Math.abs(p.probability - 1 / (1 + Math.exp(-(2 * p.logit - 1)))) < 1e-6,
      'Platt a=2, b=-1 applied',
    );
  }
  assert.equal(detector.metadata.name, 'test-detector');
  detector.dispose();
});

test('predict leaks no tensors and dispose frees the weights', async () => {
  const baseline = tf.memory().numTensors;
  const detector = await loadDetector({ modelDir });
  const loaded = tf.memory().numTensors;
  assert.ok(loaded > baseline);
  await detector.predict(crops(3));
  assert.equal(tf.memory().numTensors, loaded, 'predict leaves no tensors behind');
  detector.dispose();
  assert.equal(tf.memory().numTensors, baseline, 'dispose returns to the baseline');
});

test('wrongly sized crops are refused', async () => {
  const detector = await loadDetector({ modelDir });
  await assert.rejects(detector.predict([createFloatImage(16, 16, 3)]), /expects 32×32×3/);
  detector.dispose();
});

test('a corrupt or missing weights file names the file and the expected sha256', async () => {
  const corruptDir = await mkdtemp(join(tmpdir(), 'unmask-detector-corrupt-'));
  const network = buildDetectorNetwork(tiny);
  const manifest = await saveLayersModel(network, corruptDir, { architecture: tiny });
  network.dispose();
  const weights = await readFile(join(corruptDir, WEIGHTS_BIN));
  weights[10] = weights[10]! ^ 0xff;
  await writeFile(join(corruptDir, WEIGHTS_BIN), weights);
  const expected = manifest.files[WEIGHTS_BIN]!.sha256;
  await assert.rejects(loadDetector({ modelDir: corruptDir }), (error: unknown) => {
    assert.ok(error instanceof UnmaskError);
    assert.equal(error.code, 'modelLoadFailed');
    assert.match(error.message, new RegExp(`${WEIGHTS_BIN}.*corrupt.*${expected}`));
    return true;
  });
  await assert.rejects(loadDetector({ modelDir: join(corruptDir, 'nope') }), /manifest .* is missing/);
});
