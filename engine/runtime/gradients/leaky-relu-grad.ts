/**
 * Drop-in gradients for LeakyRelu and Relu.
 *   - LeakyRelu: tfjs-core's is `where(greater(x, 0), dy, mul(dy, alpha))`, three kernels and two temporaries per
 *     activation, which on the wasm backend took about 25 ms of a 400 ms swap training step (its Greater and
 *     Select run far below memory speed).
 *   - Relu: tfjs-core's is `mul(dy, cast(step(x), 'float32'))`, three passes where one does. At x = NaN the one
 *     pass gives 0 where tfjs-core's gives NaN; the forward pass has made the loss NaN by then anyway.
 * Where the backend has the kernel `UnmaskLeakyReluGrad` (the wasm backend, ../wasm-kernels/register.ts) each
 * gradient is that one pass (alpha 0 for relu); elsewhere it is tfjs-core's formula.
 */
import * as tf from '@tensorflow/tfjs';

export const LEAKY_RELU_GRAD = 'UnmaskLeakyReluGrad';

const hasFusedGrad = () => tf.getKernel(LEAKY_RELU_GRAD, tf.getBackend()) !== undefined;
const fusedGrad = (x: tf.Tensor, dy: tf.Tensor, alpha: number) =>
  tf.engine().runKernel(LEAKY_RELU_GRAD, { x, dy }, { alpha }) as tf.Tensor;

export const leakyReluGradConfig: tf.GradConfig = {
  kernelName: tf.LeakyRelu,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved as [tf.Tensor];
    const { alpha } = attrs as unknown as tf.LeakyReluAttrs;
    const gradient = dy as tf.Tensor;
    if (hasFusedGrad()) return { x: () => fusedGrad(x, gradient, alpha) };
    return { x: () => tf.where(tf.greater(x, 0), gradient, tf.mul(gradient, alpha)) };
  },
};

export const reluGradConfig: tf.GradConfig = {
  kernelName: tf.Relu,
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => {
    const [x] = saved as [tf.Tensor];
    const gradient = dy as tf.Tensor;
    if (hasFusedGrad() && x.dtype === 'float32') return { x: () => fusedGrad(x, gradient, 0) };
    return { x: () => tf.mul(gradient, tf.cast(tf.step(x), 'float32')) };
  },
};
