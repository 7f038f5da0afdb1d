/**
 * The local ("Hebbian") variant of MAS importance: a weight matters when the units on both sides of it are
 * active together — "neurons that fire together wire together". For a weight between input activation a_i and
 * output activation a_j, Ω_ij = mean |a_i · a_j|:
 *   - dense kernels: |x|ᵀ|y| / N;
 *   - conv kernels: the correlation of |x| patches with |y| over all positions (the same sum a conv's weight
 *     gradient computes, obtained here as ∂/∂W of Σ |y| ⊙ conv(|x|, W)), divided by N · positions;
 *   - per-channel vectors (biases, batch-norm scale/offset): mean |y| of their channel.
 * Needs no labels and no backward pass through the network.
 */
import * as tf from '@tensorflow/tfjs';
import type { Importance } from './mas.ts';

export function hebbianImportance(model: tf.LayersModel, samples: tf.Tensor): Importance {
  const layers = model.layers.filter((layer) => layer.trainableWeights.length > 0);
  // A probe model exposing each layer's input and output; a layer fed by the model input reads the samples.
  const inputs = new Set(model.inputs);
  const outputs: tf.SymbolicTensor[] = [];
  const slot = (t: tf.SymbolicTensor) => {
    if (inputs.has(t)) return -1;
    const known = outputs.indexOf(t);
    return known >= 0 ? known : outputs.push(t) - 1;
  };
  const slots = layers.map(
    (layer) => [slot(layer.input as tf.SymbolicTensor), slot(layer.output as tf.SymbolicTensor)] as const,
  );
  const probe = tf.model({ inputs: model.inputs, outputs });
  const importance: Importance = new Map();
  tf.tidy(() => {
    const predicted = probe.predict(samples);
    const activations = Array.isArray(predicted) ? predicted : [predicted];
    const read = (index: number) => (index < 0 ? samples : activations[index]!);
    const n = samples.shape[0]!;
    layers.forEach((layer, k) => {
      const x = tf.abs(read(slots[k]![0]));
      const y = tf.abs(read(slots[k]![1]));
      const channelMean = tf.mean(
        y,
        y.shape.slice(0, -1).map((_, i) => i),
      );
      for (const weight of layer.trainableWeights) {
        const shape = weight.shape as number[];
        let omega: tf.Tensor;
        if (layer.getClassName() === 'Dense' && shape.length === 2) {
          omega = tf.div(tf.matMul(x.reshape([-1, shape[0]!]), y.reshape([-1, shape[1]!]), true, false), n);
        } else if (layer.getClassName() === 'Conv2D' && shape.length === 4) {
          const config = layer.getConfig() as { strides: [number, number]; padding: 'same' | 'valid' };
          const positions = y.shape[1]! * y.shape[2]!;
          const correlate = tf.grad((w: tf.Tensor) =>
            tf.sum(tf.mul(y, tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, config.strides, config.padding))),
          );
          omega = tf.div(correlate(tf.zeros(shape)), n * positions);
        } else {
          omega = tf.broadcastTo(channelMean, shape);
        }
        importance.set(weight.name, tf.keep(omega));
      }
    });
  });
  return importance;
}
