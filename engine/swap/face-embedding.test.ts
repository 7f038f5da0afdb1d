import assert from 'node:assert/strict';
import { test } from 'node:test';
import { floatFromRgb, resizeImage } from '../imaging/float-image.ts';
import { decodeImageFile } from '../imaging/decode-image.ts';
import { tf } from '../runtime/tensorflow.ts';
import { ASTRONAUT_PNG, GRACE_HOPPER_JPG } from '../testing/fixtures.ts';
import { cosine, loadFaceEmbedder } from './face-embedding.ts';

test('the faceres embedder gives unit 1024-d descriptors, the same for the same face, and leaks no tensors', async () => {
  const embedder = await loadFaceEmbedder();
  const crops = await Promise.all(
    [GRACE_HOPPER_JPG, ASTRONAUT_PNG].map(async (path) =>
      resizeImage(floatFromRgb(await decodeImageFile(path)), 160, 160),
    ),
  );
  const before = tf.memory().numTensors;
  const [hopper, astronaut, hopperAgain] = await embedder.predict([crops[0]!, crops[1]!, crops[0]!]);
  assert.equal(tf.memory().numTensors, before, 'no tensors leak');
  for (const v of [hopper!, astronaut!]) {
    assert.equal(v.length, 1024);
    assert.ok(Math.abs(Math.hypot(...v) - 1) < 1e-4, 'unit length');
  }
  assert.ok(cosine(hopper!, hopperAgain!) > 0.9999, 'deterministic');
  assert.ok(cosine(hopper!, astronaut!) < 0.99, 'two different images differ');
  embedder.dispose();
});

test('a missing faceres model is a clear error naming the file', async () => {
  await assert.rejects(loadFaceEmbedder('/nonexistent/faceres.json'), (error: Error) => {
    assert.match(error.message, /\/nonexistent\/faceres\.json/);
    return true;
  });
});
