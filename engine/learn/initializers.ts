/**
 * Glorot/Xavier initialisers. tfjs's glorotUniform matches the theory (Var = 2 / (fan_in + fan_out)).
 * tfjs's glorotNormal draws from a normal truncated at ±2σ without correcting σ, so its variance is only
 * 0.774× the target (Keras fixed this by dividing σ by 0.8796); this one applies the correction.
 */
import * as tf from '@tensorflow/tfjs';

type Initializer = ReturnType<typeof tf.initializers.glorotUniform>;

/** Standard deviation of a unit normal truncated to [−2, 2]. */
export const TRUNCATED_NORMAL_STDDEV = 0.87962566103423978;

export function glorotUniform(seed?: number): Initializer {
  return tf.initializers.glorotUniform(seed === undefined ? {} : { seed });
}

export function glorotNormal(seed?: number): Initializer {
  return tf.initializers.varianceScaling({
    scale: 1 / TRUNCATED_NORMAL_STDDEV ** 2,
    mode: 'fanAvg',
    distribution: 'normal',
    ...(seed === undefined ? {} : { seed }),
  });
}
