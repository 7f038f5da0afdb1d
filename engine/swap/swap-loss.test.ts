import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { createFloatImage } from '../imaging/float-image.ts';
import { initTensorflow, tf } from '../runtime/tensorflow.ts';
import { createRandom } from '../util/random.ts';
import { ssim } from './ssim.ts';
import { gaussianKl, reconstructionTerms, ssimPerImage } from './swap-loss.ts';

before(async () => {
  await initTensorflow();
});

function noise(size: number, seed: number) {
  const r = createRandom(seed);
  const image = createFloatImage(size, size, 3);
  for (let i = 0; i < image.data.length; i++) image.data[i] = r.next();
  return image;
}

test('SSIM: 1 for identical images, and the tensor version equals the plain one', () => {
  const x = noise(16, 1);
  const y = noise(16, 2);
  for (let i = 0; i < y.data.length; i++) y.data[i] = 0.6 * x.data[i]! + 0.4 * y.data[i]!;
  assert.ok(Math.abs(ssim(x, x) - 1) < 1e-9);
  const plain = ssim(x, y);
  assert.ok(plain > 0.2 && plain < 0.99);
  const tensor = tf.tidy(
    () =>
      ssimPerImage(tf.tensor4d(x.data, [1, 16, 16, 3]), tf.tensor4d(y.data, [1, 16, 16, 3])).dataSync()[0]!,
  );
  assert.ok(Math.abs(tensor - plain) < 1e-4, `tensor ${tensor} vs plain ${plain}`);
});

test('the reconstruction loss ignores everything outside the face mask', () => {
  const before = tf.memory().numTensors;
  tf.tidy(() => {
    const target = tf.randomUniform([2, 16, 16, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
    const mask = tf.concat([tf.ones([2, 16, 8, 1]), tf.zeros([2, 16, 8, 1])], 2) as tf.Tensor4D;
    // Prediction: exact on the masked half, garbage outside; predicted mask equal to the mask.
    const garbage = tf.randomUniform([2, 16, 16, 3], 0, 1, 'float32', 5);
    const rgb = target.mul(mask).add(garbage.mul(tf.scalar(1).sub(mask)));
    const output = tf.concat([rgb, mask], 3) as tf.Tensor4D;
    const terms = reconstructionTerms(output, target, mask, mask);
    assert.ok(terms.l1.dataSync()[0]! < 1e-7);
    assert.ok(terms.ssim.dataSync()[0]! < 1e-5);
    assert.equal(terms.mask.dataSync()[0], 0);
    const wrong = reconstructionTerms(tf.concat([garbage, mask], 3) as tf.Tensor4D, target, mask, mask);
    assert.ok(wrong.l1.dataSync()[0]! > 0.05);
  });
  assert.equal(tf.memory().numTensors, before);
});

test('KL of N(μ, I) against N(0, I) is ½·mean μ²', () => {
  const kl = tf.tidy(
    () =>
      gaussianKl(
        tf.tensor2d([
          [1, -1],
          [2, 0],
        ]),
      ).dataSync()[0],
  );
  assert.equal(kl, 0.5 * ((1 + 1 + 4 + 0) / 4));
});
