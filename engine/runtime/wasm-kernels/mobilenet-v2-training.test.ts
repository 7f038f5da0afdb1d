/**
 * End to end: a tiny MobileNetV2 built from the tf.layers types a Keras MobileNetV2 uses (Conv2D 1×1,
 * BatchNormalization in training mode, ReLU with maxValue 6, DepthwiseConv2D at stride 1 'same' and, after a
 * ZeroPadding2D, stride 2 'valid', Add, GlobalAveragePooling2D, Dense) takes an SGD step with trainOnBatch on the
 * wasm backend, which needs a gradient kernel for every one of them, and moves its weights as the cpu backend does.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { registerFastGradients } from '../gradients/fused-batch-norm-grad.ts';
import { randomValues, seededRandom, setUpBackends, useBackend } from './test-utils.ts';

const BATCH = 6;
const SIZE = 16;
const CLASSES = 4;

/** conv 1×1 → batch norm → relu6 (no relu6 for the linear bottleneck). */
function pointwise(x: tf.SymbolicTensor, filters: number, relu6 = true): tf.SymbolicTensor {
  const conv = tf.layers.conv2d({ filters, kernelSize: 1, useBias: false }).apply(x) as tf.SymbolicTensor;
  const normed = tf.layers.batchNormalization({ momentum: 0.9 }).apply(conv) as tf.SymbolicTensor;
  return relu6 ? (tf.layers.reLU({ maxValue: 6 }).apply(normed) as tf.SymbolicTensor) : normed;
}

function depthwise(x: tf.SymbolicTensor, strides: 1 | 2): tf.SymbolicTensor {
  // Keras MobileNetV2 pads a stride-2 depthwise conv on the bottom and right itself, then convolves 'valid'.
  const padded =
    strides === 2
      ? (tf.layers
          .zeroPadding2d({
            padding: [
              [0, 1],
              [0, 1],
            ],
          })
          .apply(x) as tf.SymbolicTensor)
      : x;
  const conv = tf.layers
    .depthwiseConv2d({ kernelSize: 3, strides, padding: strides === 2 ? 'valid' : 'same', useBias: false })
    .apply(padded) as tf.SymbolicTensor;
  const normed = tf.layers.batchNormalization({ momentum: 0.9 }).apply(conv) as tf.SymbolicTensor;
  return tf.layers.reLU({ maxValue: 6 }).apply(normed) as tf.SymbolicTensor;
}

/** Stem, one stride-1 inverted residual block with its Add, one stride-2 block, pooling and a classifier. */
function tinyMobileNetV2(): tf.LayersModel {
  const input = tf.input({ shape: [SIZE, SIZE, 3] });
  const stem = pointwise(input, 8);
  const residual = pointwise(depthwise(pointwise(stem, 16), 1), 8, false);
  const added = tf.layers.add().apply([stem, residual]) as tf.SymbolicTensor;
  const reduced = pointwise(depthwise(pointwise(added, 16), 2), 12, false);
  const pooled = tf.layers.globalAveragePooling2d({}).apply(reduced) as tf.SymbolicTensor;
  const output = tf.layers
    .dense({ units: CLASSES, activation: 'softmax' })
    .apply(pooled) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: output });
  model.compile({ optimizer: tf.train.sgd(0.5), loss: 'categoricalCrossentropy' });
  return model;
}

interface StepResult {
  loss: number;
  before: Float32Array[];
  after: Float32Array[];
  names: string[];
  trainable: boolean[];
  leaked: number;
}

/** Builds the model on the current backend with the given starting weights and takes two SGD steps. */
async function trainStep(
  rand: () => number,
  images: Float32Array,
  labels: Float32Array,
): Promise<StepResult> {
  const model = tinyMobileNetV2();
  // Starting weights from the seeded generator, in model.weights order; batch-norm variances positive.
  const start = model.weights.map((w) => {
    const values = randomValues(rand, w.shape as number[]);
    return w.name.includes('variance') ? values.map((v) => 1 + 0.5 * Math.abs(v)) : values;
  });
  tf.tidy(() =>
    model.setWeights(start.map((values, i) => tf.tensor(values, model.weights[i]!.shape as number[]))),
  );
  const x = tf.tensor4d(images, [BATCH, SIZE, SIZE, 3]);
  const y = tf.tensor2d(labels, [BATCH, CLASSES]);
  const loss = (await model.trainOnBatch(x, y)) as number;
  const after = model.weights.map((w) => w.read().dataSync() as Float32Array);
  const tensors = tf.memory().numTensors;
  await model.trainOnBatch(x, y);
  const leaked = tf.memory().numTensors - tensors;
  const names = model.weights.map((w) => w.name);
  const trainable = model.weights.map((w) => w.trainable);
  tf.dispose([x, y]);
  model.dispose();
  model.optimizer.dispose(); // its learning-rate scalar: model.dispose frees only optimizers it made itself
  return { loss, before: start, after, names, trainable, leaked };
}

before(async () => {
  registerFastGradients();
  await setUpBackends();
});

test('a tiny tf.layers MobileNetV2 trains on wasm and takes the same step as on cpu', async () => {
  const data = seededRandom(77);
  const images = randomValues(data, [BATCH, SIZE, SIZE, 3]);
  const labels = new Float32Array(BATCH * CLASSES);
  for (let i = 0; i < BATCH; i++) labels[i * CLASSES + Math.floor(data() * CLASSES)] = 1;

  await useBackend('cpu');
  const cpu = await trainStep(seededRandom(78), images, labels);
  await useBackend('wasm');
  const tensors = tf.memory().numTensors;
  const wasm = await trainStep(seededRandom(78), images, labels);
  assert.equal(wasm.leaked, 0, 'a training step leaves no tensors behind');
  assert.equal(tf.memory().numTensors, tensors, 'the model and its data are all freed');

  assert.ok(
    Math.abs(wasm.loss - cpu.loss) <= 1e-4 * cpu.loss,
    `loss ${wasm.loss} on wasm, ${cpu.loss} on cpu`,
  );
  const norm = (v: Float32Array): number => Math.sqrt(v.reduce((sum, d) => sum + d * d, 0));
  wasm.after.forEach((after, i) => {
    const name = `weight ${i} (${wasm.names[i]})`;
    const update = after.map((v, j) => v - wasm.before[i]![j]!);
    const cpuUpdate = cpu.after[i]!.map((v, j) => v - cpu.before[i]![j]!);
    const difference = norm(update.map((d, j) => d - cpuUpdate[j]!));
    // The batch-norm offset of the first block's bottleneck feeds, through the Add and a 1×1 conv, only the next
    // batch norm, which subtracts any per-channel shift: its gradient is zero up to rounding (~1e-7 here), hence
    // the absolute floor.
    assert.ok(
      difference <= 1e-3 * norm(cpuUpdate) + 1e-6,
      `${name}: update ${norm(update)} on wasm, ${norm(cpuUpdate)} on cpu, difference ${difference}`,
    );
    if (wasm.trainable[i] && norm(cpuUpdate) > 1e-6) assert.ok(norm(update) > 0, `${name} changed`);
  });
});
