/** Worker of data-parallel.ts: reads the shared parameters, writes its shard's weighted gradient. */
import { parentPort, workerData } from 'node:worker_threads';
import { initTensorflow, tf } from '../runtime/tensorflow.ts';
import type { DataParallelInit, ParallelModelModule, ShardRequest } from './data-parallel.ts';

const init = workerData as DataParallelInit;
const port = parentPort!;

try {
  await initTensorflow();
  const module = (await import(init.moduleUrl)) as ParallelModelModule;
  const model = module.buildModel();
  const weights = model.trainableWeights;
  const variables = weights.map((w) => w.read() as tf.Variable);
  const params = new Float32Array(init.params);
  const grads = new Float32Array(init.grads, init.slot * init.paramCount * 4, init.paramCount);
  port.postMessage({ slot: init.slot, loss: 0, ready: true });

  port.on('message', (request: ShardRequest) => {
    try {
      // Load the owner's current parameters.
      let offset = 0;
      for (const variable of variables) {
        const size = variable.size;
        tf.tidy(() => variable.assign(tf.tensor(params.subarray(offset, offset + size), variable.shape)));
        offset += size;
      }
      const loss = tf.tidy(() => {
        const x = tf.tensor(request.x, request.xShape);
        const y = tf.tensor(request.y, request.yShape);
        const { value, grads: g } = tf.variableGrads(() => module.meanLoss(model, x, y), variables);
        let at = 0;
        for (const variable of variables) {
          const values = g[variable.name]!.mul(request.weight).dataSync() as Float32Array;
          grads.set(values, at);
          at += values.length;
        }
        return value.dataSync()[0]! * request.weight;
      });
      port.postMessage({ slot: init.slot, loss });
    } catch (error) {
      port.postMessage({
        slot: init.slot,
        loss: Number.NaN,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  });
} catch (error) {
  port.postMessage({
    slot: init.slot,
    loss: Number.NaN,
    error: error instanceof Error ? error.message : String(error),
  });
}
