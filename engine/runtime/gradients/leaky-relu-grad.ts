/**
 * A drop-in gradient for LeakyRelu. tfjs-core's is `where(greater(x, 0), dy, mul(dy, alpha))`: three kernels and
 * two temporaries per activation, which on the wasm backend took about 25 ms of a 400 ms swap training step (its
 * Greater and Select run far below memory speed). Where the backend has the kernel `UnmaskLeakyReluGrad` (the
 * wasm backend, ../wasm-kernels/register.ts) the gradient is that one pass; elsewhere it is tfjs-core's formula.
 */
import * as tf from '@tensorflow/tfjs';

export const LEAKY_RELU_GRAD = 'UnmaskLeakyReluGrad';

export const leakyReluGradConfig: tf.GradConfig = {
  kernelName: tf.LeakyRelu,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved as [tf.Tensor];
    const { alpha } = attrs as unknown as tf.LeakyReluAttrs;
    const gradient = dy as tf.Tensor;
    if (tf.getKernel(LEAKY_RELU_GRAD, tf.getBackend()) !== undefined) {
      return { x: () => tf.engine().runKernel(LEAKY_RELU_GRAD, { x, dy: gradient }, { alpha }) as tf.Tensor };
    }
    return { x: () => tf.where(tf.greater(x, 0), gradient, tf.mul(gradient, alpha)) };
  },
};
