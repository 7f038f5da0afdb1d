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

/** Samples per forward pass: every layer's activations of one chunk are held at once, so memory stays bounded. */
const DEFAULT_CHUNK = 32;

export function hebbianImportance(
  model: tf.LayersModel,
  samples: tf.Tensor,
  chunkSize = DEFAULT_CHUNK,
): Importance {
  if (!Number.isInteger(chunkSize) || chunkSize < 1)
    throw new RangeError(`chunk size must be a whole number ≥ 1, got ${chunkSize}`);
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
  // Every Ω is a sum over samples (and positions) divided by a count, so chunks add up exactly: the sums
  // accumulate here, chunk by chunk, and are divided once at the end.
  const sums = new Map<string, tf.Tensor>();
  const divisors = new Map<string, number>();
  const n = samples.shape[0]!;
  for (let start = 0; start < n; start += chunkSize) {
    tf.tidy(() => {
      const chunk = samples.slice(start, Math.min(chunkSize, n - start));
      const predicted = probe.predict(chunk);
      const activations = Array.isArray(predicted) ? predicted : [predicted];
      const read = (index: number) => (index < 0 ? chunk : activations[index]!);
      layers.forEach((layer, k) => {
        const x = tf.abs(read(slots[k]![0]));
        const y = tf.abs(read(slots[k]![1]));
        const positions = y.size / (y.shape[0]! * y.shape[y.rank - 1]!);
        const channelSum = tf.sum(
          y,
          y.shape.slice(0, -1).map((_, i) => i),
        );
        for (const weight of layer.trainableWeights) {
          const shape = weight.shape as number[];
          let sum: tf.Tensor;
          let perSample: number;
          if (layer.getClassName() === 'Dense' && shape.length === 2) {
            sum = tf.matMul(x.reshape([-1, shape[0]!]), y.reshape([-1, shape[1]!]), true, false);
            perSample = 1;
          } else if (layer.getClassName() === 'Conv2D' && shape.length === 4) {
            const config = layer.getConfig() as { strides: [number, number]; padding: 'same' | 'valid' };
            const correlate = tf.grad((w: tf.Tensor) =>
              tf.sum(
                tf.mul(y, tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, config.strides, config.padding)),
              ),
            );
            sum = correlate(tf.zeros(shape));
            perSample = positions;
          } else {
            sum = tf.broadcastTo(channelSum, shape);
            perSample = positions;
          }
          const earlier = sums.get(weight.name);
          sums.set(weight.name, tf.keep(earlier ? tf.add(earlier, sum) : sum));
          earlier?.dispose();
          divisors.set(weight.name, n * perSample);
        }
      });
    });
  }
  const importance: Importance = new Map();
  for (const [name, sum] of sums) {
    importance.set(
      name,
      tf.tidy(() => tf.div(sum, divisors.get(name)!)),
    );
    sum.dispose();
  }
  return importance;
}
