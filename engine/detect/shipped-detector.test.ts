import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createFloatImage } from '../imaging/float-image.ts';
import { readModelManifest } from '../models/layers-model-io.ts';
import { modelDir } from '../runtime/paths.ts';
import { tf } from '../runtime/tensorflow.ts';
import { sha256Bytes } from '../util/files.ts';
import { DEFAULT_DETECTOR_CONFIG, loadDetector } from './detector.ts';

const shipped = modelDir('detector');
/** The shipped detector and the previous one, kept loadable with --detector. */
const SHIPPED = ['detector', 'detector-v2'];

for (const name of SHIPPED) {
  test(`resources/models/${name}: files match their manifest and SHA256SUMS, and it loads`, async () => {
    const dir = modelDir(name);
    const manifest = await readModelManifest(dir);
    for (const [file, { sha256, bytes }] of Object.entries(manifest.files)) {
      const data = readFileSync(join(dir, file));
      assert.equal(data.byteLength, bytes, `${file} size`);
      assert.equal(sha256Bytes(data), sha256, `${file} sha256`);
    }
    const sums = readFileSync(join(dir, 'SHA256SUMS'), 'utf8');
    assert.ok(sums.includes(manifest.files['weights.bin']!.sha256), 'SHA256SUMS lists the weights');
    const detector = await loadDetector({ modelDir: dir });
    assert.equal(detector.metadata.calibration.method, 'platt');
    detector.dispose();
  });
}

test('the shipped detector loads, predicts both heads in range and leaks no tensors', async () => {
  assert.equal(DEFAULT_DETECTOR_CONFIG.modelDir, shipped);
  const detector = await loadDetector();
  const { inputSize } = detector.metadata.architecture;
  assert.equal(detector.metadata.calibration.method, 'platt');
  const crop = createFloatImage(inputSize, inputSize, 3, 0.5);
  const loaded = tf.memory().numTensors;
  const [prediction] = await detector.predict([crop]);
  assert.equal(tf.memory().numTensors, loaded);
  assert.ok(prediction!.probability >= 0 && prediction!.probability <= 1);
  assert.equal(
    prediction!.boundary.length,
    (inputSize / 2 ** detector.metadata.architecture.boundaryStage) ** 2,
  );
  detector.dispose();
});
