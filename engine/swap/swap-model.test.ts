import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { initTensorflow, tf } from '../runtime/tensorflow.ts';
import { TINY_SWAP } from '../testing/synthetic-faces.ts';
import { createTinySwapProject } from '../testing/tiny-swap-project.ts';
import { pixelShuffle } from './pixel-shuffle.ts';
import { faceFromStack } from './preview.ts';
import { defaultSwapArchitecture, validateSwapArchitecture } from './swap-architecture.ts';
import { loadSwapModel } from './swap-model.ts';
import { buildSwapNetworks } from './swap-networks.ts';

before(async () => {
  await initTensorflow();
});

test('pixelShuffle equals tf.depthToSpace (DCR order) and has a gradient', () => {
  const x = tf.randomNormal([2, 3, 5, 8], 0, 1, 'float32', 3) as tf.Tensor4D;
  const diff = tf.tidy(() => tf.max(tf.abs(pixelShuffle(x).sub(tf.depthToSpace(x, 2)))).dataSync()[0]);
  assert.equal(diff, 0);
  const grad = tf.grad((t: tf.Tensor) =>
    pixelShuffle(t as tf.Tensor4D)
      .square()
      .sum(),
  )(x);
  assert.deepEqual(grad.shape, [2, 3, 5, 8]);
  tf.dispose([x, grad]);
});

for (const kind of ['template', 'unit'] as const) {
  for (const size of [64, 128] as const) {
    test(`${kind} ${size} px: code and decoder shapes`, () => {
      const networks = buildSwapNetworks(defaultSwapArchitecture(kind, size));
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        const x = tf.zeros([2, size, size, 3]) as tf.Tensor4D;
        const encoded = networks.encode('a', x, kind === 'unit');
        if (kind === 'template') assert.deepEqual(encoded.code.shape, [2, 8, 8, 128]);
        else {
          assert.deepEqual(encoded.code.shape, [2, 128], 'UNIT code is the Gaussian latent z');
          assert.deepEqual(encoded.mean!.shape, [2, 128]);
        }
        for (const identity of ['a', 'b'] as const)
          assert.deepEqual(networks.decode(identity, encoded.code).shape, [2, size, size, 4], 'RGB + mask');
      });
      assert.equal(tf.memory().numTensors, before);
      if (kind === 'unit') {
        assert.ok('encoder_shared' in networks.parts && 'decoder_shared' in networks.parts);
        assert.ok(!('encoder' in networks.parts), 'the UNIT variant has private encoders plus a shared tail');
      }
      networks.dispose();
    });
  }
}

test('the 64 px template has the documented parameter count', () => {
  const networks = buildSwapNetworks(defaultSwapArchitecture('template', 64));
  const counts = Object.fromEntries(Object.entries(networks.parts).map(([n, m]) => [n, m.countParams()]));
  // Encoder: convs 2,432 + 51,264 + 204,928 + 819,456; dense 4096→128 and 128→2048; Up 3×3×128→512.
  assert.equal(
    counts['encoder'],
    2432 + 51264 + 204928 + 819456 + (4096 * 128 + 128) + (128 * 2048 + 2048) + (9 * 128 * 512 + 512),
  );
  assert.equal(counts['decoder_a'], counts['decoder_b']);
  networks.dispose();
});

test('architecture validation names the problem', () => {
  assert.throws(
    () => validateSwapArchitecture({ ...TINY_SWAP, encoderWidths: [4, 8] }),
    /needs 4 conv widths/,
  );
  assert.throws(() => validateSwapArchitecture({ ...TINY_SWAP, size: 96 as 64 }), /64 or 128/);
});

test('loadSwapModel → predict leaks no tensors and dispose frees the weights', async () => {
  const dir = join(await mkdtemp(join(tmpdir(), 'unmask-swap-model-')), 'project');
  const sets = await createTinySwapProject(dir);

  const baseline = tf.memory().numTensors;
  const model = await loadSwapModel(dir);
  const loaded = tf.memory().numTensors;
  assert.ok(loaded > baseline);
  const faces = [0, 1, 2].map((i) => faceFromStack(sets.a.stacked, 64, i));
  const predictions = await model.predict(faces, 'a', 'b');
  assert.equal(predictions.length, 3);
  for (const p of predictions) {
    assert.equal(p.face.data.length, 64 * 64 * 3);
    assert.equal(p.mask.data.length, 64 * 64);
    assert.ok(p.face.data.every((v) => v >= 0 && v <= 1));
  }
  assert.equal(tf.memory().numTensors, loaded, 'predict leaves no tensors behind');
  await assert.rejects(
    model.predict(
      [
        faceFromStack(sets.a.stacked, 64, 0),
        { width: 32, height: 32, channels: 3, data: new Float32Array(32 * 32 * 3) },
      ],
      'a',
      'b',
    ),
    /expects 64×64×3/,
  );
  assert.equal(tf.memory().numTensors, loaded, 'a refused batch leaves nothing either');
  model.dispose();
  assert.equal(tf.memory().numTensors, baseline, 'dispose returns to the baseline');
});
