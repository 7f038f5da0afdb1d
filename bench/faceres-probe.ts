/**
 * Frozen `faceres` features and a linear probe on them, shared by the pretrained-probe benches. faceres is
 * @vladmandic/human's MobileNet v1 face-description model (224²); a face's features are the spatial mean and
 * standard deviation of every channel at five stages.
 */
import { faceresInput } from '../engine/swap/face-embedding.ts';
import { tf } from '../engine/runtime/tensorflow.ts';

/** MobileNet v1 stages (output size at 224² input, channels). */
export const FACERES_LAYERS = [
  ['conv_pw_1', 64],
  ['conv_pw_3', 128],
  ['conv_pw_5', 256],
  ['conv_pw_11', 512],
  ['conv_pw_13', 1024],
] as const;
const NODES = FACERES_LAYERS.map(([name]) => `${name}_relu/clip_by_value`);
export const FACERES_DIM = FACERES_LAYERS.reduce((sum, [, channels]) => sum + 2 * channels, 0);

export interface FeatureSet {
  f: Float32Array;
  y: Array<0 | 1>;
  group: string[];
}

/** Crops (n × crop² × 3, 0..1) → n × FACERES_DIM features, 16 at a time (Human's preprocessing, `faceresInput`). */
export function faceresFeatures(
  faceres: tf.GraphModel,
  pixels: Float32Array,
  n: number,
  crop: number,
): Float32Array {
  const per = crop * crop * 3;
  const out = new Float32Array(n * FACERES_DIM);
  for (let start = 0; start < n; start += 16) {
    const end = Math.min(n, start + 16);
    const chunk = tf.tidy(() => {
      const crops = tf.tensor4d(pixels.subarray(start * per, end * per), [end - start, crop, crop, 3]);
      const maps = faceres.execute(faceresInput(crops), NODES) as tf.Tensor4D[];
      return tf.concat(
        maps.flatMap((m) => {
          const { mean, variance } = tf.moments(m, [1, 2]);
          return [mean, variance.add(1e-6).sqrt()];
        }),
        1,
      );
    });
    out.set(chunk.dataSync(), start * FACERES_DIM);
    chunk.dispose();
  }
  return out;
}

/** L2 logistic regression on the chosen columns of `train`, standardised on it; returns a scorer (logits). */
export function fitProbe(train: FeatureSet, columns: number[], l2: number): (set: FeatureSet) => number[] {
  const pick = (set: FeatureSet) => {
    const n = set.y.length;
    const out = new Float32Array(n * columns.length);
    for (let i = 0; i < n; i++)
      columns.forEach((c, j) => (out[i * columns.length + j] = set.f[i * FACERES_DIM + c]!));
    return tf.tensor2d(out, [n, columns.length]);
  };
  const x = pick(train);
  const { mean, variance } = tf.moments(x, 0);
  const scale = variance.sqrt().add(1e-6);
  const xn = x.sub(mean).div(scale);
  const y = tf.tensor2d(train.y, [train.y.length, 1]);
  const w = tf.variable(tf.zeros([columns.length, 1]));
  const b = tf.variable(tf.zeros([1]));
  const optimizer = tf.train.adam(0.01);
  for (let step = 0; step < 300; step++)
    optimizer.minimize(() =>
      tf.tidy(
        () =>
          tf.losses.sigmoidCrossEntropy(y, xn.matMul(w).add(b)).add(w.square().sum().mul(l2)) as tf.Scalar,
      ),
    );
  optimizer.dispose();
  tf.dispose([x, xn, y]);
  return (set) => {
    const z = tf.tidy(() => pick(set).sub(mean).div(scale).matMul(w).add(b));
    const scores = Array.from(z.dataSync());
    z.dispose();
    return scores;
  };
}

/** Column ranges of each stage in the feature vector, then all of them. */
export function layerColumns(): Array<readonly [string, number[]]> {
  let offset = 0;
  const perLayer = FACERES_LAYERS.map(([name, channels]) => {
    const columns = Array.from({ length: 2 * channels }, (_, i) => offset + i);
    offset += 2 * channels;
    return [name, columns] as const;
  });
  return [...perLayer, ['all five', [...Array(FACERES_DIM).keys()]] as const];
}
