/**
 * End to end: a tiny conv autoencoder (conv2d stride 2 → relu → conv2dTranspose stride 2) trains with Adam on
 * the wasm backend — which needs Conv2DBackpropFilter for both layers — and follows the cpu backend's trajectory.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { randomValues, seededRandom, setUpBackends, useBackend } from './test-utils.ts';

const BATCH = 4;
const SIZE = 16;
const HIDDEN = 8;
const STEPS = 12;

/** Smooth images: a few Gaussian blobs each, values in [0, 1]. */
function makeImages(rand: () => number): Float32Array {
  const out = new Float32Array(BATCH * SIZE * SIZE);
  for (let b = 0; b < BATCH; b++) {
    for (let blob = 0; blob < 3; blob++) {
      const cy = rand() * SIZE;
      const cx = rand() * SIZE;
      const r = 2 + rand() * 3;
      for (let y = 0; y < SIZE; y++) {
        for (let x = 0; x < SIZE; x++) {
          const i = (b * SIZE + y) * SIZE + x;
          out[i] = Math.min(1, out[i]! + Math.exp(-((y - cy) ** 2 + (x - cx) ** 2) / (2 * r * r)));
        }
      }
    }
  }
  return out;
}

interface Init {
  images: Float32Array;
  encoder: Float32Array;
  decoder: Float32Array;
}

function makeInit(): Init {
  const rand = seededRandom(42);
  const scale = (v: Float32Array, s: number): Float32Array => v.map((x) => x * s);
  return {
    images: makeImages(rand),
    encoder: scale(randomValues(rand, [3, 3, 1, HIDDEN]), 0.5),
    decoder: scale(randomValues(rand, [3, 3, 1, HIDDEN]), 0.3),
  };
}

/** Trains for STEPS Adam steps on the current backend; returns the loss before each step. */
function train(init: Init): { losses: number[]; leakedPerStep: number } {
  const images = tf.tensor4d(init.images, [BATCH, SIZE, SIZE, 1]);
  // tf.variable keeps its initial tensor alive; tidy releases it (variables survive tidy).
  const encoder = tf.tidy(() => tf.variable(tf.tensor4d(init.encoder, [3, 3, 1, HIDDEN])));
  const encoderBias = tf.tidy(() => tf.variable(tf.zeros([HIDDEN])));
  const decoder = tf.tidy(() => tf.variable(tf.tensor4d(init.decoder, [3, 3, 1, HIDDEN])));
  const decoderBias = tf.tidy(() => tf.variable(tf.zeros([1])));
  const optimizer = tf.train.adam(0.02);
  const loss = (): tf.Scalar => {
    const code = tf.relu(tf.add(tf.conv2d(images, encoder, 2, 'same'), encoderBias)) as tf.Tensor4D;
    const recon = tf.add(tf.conv2dTranspose(code, decoder, [BATCH, SIZE, SIZE, 1], 2, 'same'), decoderBias);
    return tf.losses.meanSquaredError(images, recon);
  };
  const losses: number[] = [];
  let tensorsAfterFirst = 0;
  for (let step = 0; step < STEPS; step++) {
    const value = optimizer.minimize(loss, true)!;
    losses.push(value.dataSync()[0]!);
    value.dispose();
    if (step === 0) tensorsAfterFirst = tf.memory().numTensors;
  }
  const leakedPerStep = (tf.memory().numTensors - tensorsAfterFirst) / (STEPS - 1);
  tf.dispose([images, encoder, encoderBias, decoder, decoderBias]);
  optimizer.dispose();
  return { losses, leakedPerStep };
}

before(async () => {
  await setUpBackends();
});

test('a conv autoencoder trains on wasm with Adam, like it does on cpu', async () => {
  const init = makeInit();
  await useBackend('cpu');
  const cpu = train(init);
  await useBackend('wasm');
  const before = tf.memory().numTensors;
  const wasm = train(init);
  assert.equal(tf.memory().numTensors, before, 'training leaves no tensors behind');
  assert.equal(wasm.leakedPerStep, 0, 'no tensors accumulate per step');

  const first = wasm.losses[0]!;
  const last = wasm.losses.at(-1)!;
  assert.ok(Number.isFinite(last), `loss is finite: ${wasm.losses.join(', ')}`);
  assert.ok(last < 0.6 * first, `loss decreases: ${wasm.losses.map((l) => l.toFixed(4)).join(' → ')}`);
  for (let i = 0; i < STEPS; i++) {
    const rel = Math.abs(wasm.losses[i]! - cpu.losses[i]!) / cpu.losses[i]!;
    assert.ok(rel < 1e-3, `step ${i}: wasm loss ${wasm.losses[i]} vs cpu ${cpu.losses[i]}`);
  }
});

test('a tf.layers conv / conv-transpose model fits on wasm', async () => {
  await useBackend('wasm');
  const init = makeInit();
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [SIZE, SIZE, 1],
        filters: HIDDEN,
        kernelSize: 3,
        strides: 2,
        padding: 'same',
        activation: 'relu',
      }),
      tf.layers.conv2dTranspose({ filters: 1, kernelSize: 3, strides: 2, padding: 'same' }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(0.02), loss: 'meanSquaredError' });
  const images = tf.tensor4d(init.images, [BATCH, SIZE, SIZE, 1]);
  const history = await model.fit(images, images, { epochs: 10, batchSize: BATCH, verbose: 0 });
  const losses = history.history['loss'] as number[];
  assert.ok(
    losses.at(-1)! < 0.6 * losses[0]!,
    `loss decreases: ${losses.map((l) => l.toFixed(4)).join(' → ')}`,
  );
  images.dispose();
  model.dispose();
});
