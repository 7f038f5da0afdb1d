/** Test/bench model for data-parallel training: a small seeded conv net with a mean-squared-error loss. */
import type { ShardTrainer } from '../learn/data-parallel.ts';
import { tf } from '../runtime/tensorflow.ts';

export const INPUT_SIZE = Number(process.env['UNMASK_PARALLEL_INPUT'] ?? 32);

export function buildModel(): tf.LayersModel {
  const input = tf.input({ shape: [INPUT_SIZE, INPUT_SIZE, 3] });
  let x = tf.layers
    .conv2d({
      filters: 16,
      kernelSize: 3,
      strides: 2,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
    })
    .apply(input) as tf.SymbolicTensor;
  x = tf.layers
    .conv2d({
      filters: 32,
      kernelSize: 3,
      strides: 2,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }),
    })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
  const out = tf.layers
    .dense({ units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

export function meanLoss(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor): tf.Scalar {
  return tf.mean(tf.square(tf.sub(model.apply(x) as tf.Tensor, y))) as tf.Scalar;
}

/** The data-parallel worker's view of this model (see engine/learn/data-parallel.ts): batch { x, y }. */
export function createShardTrainer(): ShardTrainer {
  const model = buildModel();
  return {
    variables: model.trainableWeights.map((w) => w.read() as tf.Variable),
    loss: (batch) => ({ loss: meanLoss(model, batch['x']!, batch['y']!) }),
  };
}
