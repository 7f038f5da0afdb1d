/**
 * Gradient check: compares autodiff gradients with central finite differences, (f(x+ε) − f(x−ε)) / 2ε,
 * element by element. Used to test custom kernels, losses and optimizers. Float32 limits the attainable
 * agreement to roughly 1e-3 relative for ε ≈ 1e-2 on smooth functions.
 */
import * as tf from '@tensorflow/tfjs';

export interface GradientCheckResult {
  /** ‖autodiff − numeric‖ / max(‖numeric‖, tiny), per input. */
  relativeErrors: number[];
  maxRelativeError: number;
}

export function checkGradients(
  f: (...xs: tf.Tensor[]) => tf.Scalar,
  inputs: readonly tf.Tensor[],
  epsilon = 1e-2,
): GradientCheckResult {
  const analytic = tf.tidy(() =>
    tf
      .grads(f)(inputs as tf.Tensor[])
      .map((g) => g.dataSync().slice()),
  );
  const relativeErrors = inputs.map((input, k) => {
    const base = input.dataSync().slice();
    const numeric = new Float64Array(base.length);
    for (let i = 0; i < base.length; i++) {
      const evaluate = (delta: number) =>
        tf.tidy(() => {
          const shifted = base.slice();
          shifted[i]! += delta;
          const args = inputs.map((x, j) => (j === k ? tf.tensor(shifted, x.shape, x.dtype) : x));
          return f(...args).dataSync()[0]!;
        });
      numeric[i] = (evaluate(epsilon) - evaluate(-epsilon)) / (2 * epsilon);
    }
    let difference = 0;
    let norm = 0;
    for (let i = 0; i < numeric.length; i++) {
      difference += (analytic[k]![i]! - numeric[i]!) ** 2;
      norm += numeric[i]! ** 2;
    }
    return Math.sqrt(difference) / Math.max(Math.sqrt(norm), 1e-12);
  });
  return { relativeErrors, maxRelativeError: Math.max(...relativeErrors) };
}
