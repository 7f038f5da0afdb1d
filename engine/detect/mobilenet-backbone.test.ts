import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import { initTensorflow, tf } from '../runtime/tensorflow.ts';
import { BOUNDARY_OUTPUT, boundaryMapSize, type DetectorArchitecture } from './detector-network.ts';
import { predictWithNetwork } from './detector.ts';
import { buildMobileNetDetector, loadMobileNetV2Backbone, nsfwjsMobileNetDir } from './mobilenet-backbone.ts';

const architecture: DetectorArchitecture = {
  backbone: 'mobilenet-v2',
  inputSize: 64,
  widths: [],
  boundaryStage: 3,
  dropout: 0.2,
};

test("the backbone's weights are nsfwjs's pretrained ones, not a fresh initialisation", async () => {
  await initTensorflow();
  const backbone = await loadMobileNetV2Backbone(64);
  const manifest = createRequire(import.meta.url)(join(nsfwjsMobileNetDir(), 'model.min.js')) as {
    weightsManifest: Array<{
      weights: Array<{ name: string; quantization: { min: number; scale: number } }>;
    }>;
  };
  const spec = manifest.weightsManifest[0]!.weights.find((w) => w.name === 'Conv1/kernel')!;
  const kernel = backbone.getLayer('Conv1').getWeights()[0]!.dataSync();
  // Every value is min + k·scale for an integer k in 0..255 (uint8 quantisation), and they are not all equal.
  for (const v of kernel.slice(0, 200)) {
    const k = (v - spec.quantization.min) / spec.quantization.scale;
    assert.ok(
      Math.abs(k - Math.round(k)) < 1e-3 && k > -0.5 && k < 255.5,
      `${v} is not on the quantisation grid`,
    );
  }
  assert.ok(new Set(kernel).size > 50);
  // The last layers of the backbone carry weights too (every layer up to out_relu was matched by name).
  const bn = backbone.getLayer('Conv_1_bn').getWeights();
  assert.ok(
    bn.every((w) => w.dataSync().some((v) => v !== 0 && v !== 1)),
    'Conv_1_bn was loaded',
  );
  backbone.dispose();
});

test('the MobileNetV2 detector has both heads, predicts without leaking and frees everything on dispose', async () => {
  await initTensorflow();
  const baseline = tf.memory().numTensors;
  const model = await buildMobileNetDetector(architecture, 1);
  const afterBuild = tf.memory().numTensors;
  assert.equal(model.getLayer(BOUNDARY_OUTPUT).outputShape.toString(), [null, 8, 8, 1].toString());
  const crops = Array.from({ length: 3 }, (_, i) => ({
    width: 64,
    height: 64,
    channels: 3,
    data: new Float32Array(64 * 64 * 3).map((_, k) => ((k * (i + 3)) % 255) / 255),
  }));
  const predictions = await predictWithNetwork(
    model,
    architecture,
    { method: 'platt', a: 1, b: 0 },
    crops,
    2,
  );
  assert.equal(predictions.length, 3);
  for (const p of predictions) {
    assert.ok(Number.isFinite(p.logit));
    assert.equal(p.boundary.length, boundaryMapSize(architecture) ** 2);
  }
  assert.equal(tf.memory().numTensors, afterBuild, 'predict leaks no tensors');
  model.dispose();
  assert.equal(tf.memory().numTensors, baseline, 'dispose frees every weight');
});
