/** Worker-thread entry: builds SBI training pairs off the training thread. See pair-producer.ts. */
import { parentPort, workerData } from 'node:worker_threads';
import type { FaceBank } from './face-bank.ts';
import type { PairRequest, PairWorkerInit } from './pair-producer.ts';
import { packPairs } from './pair-producer.ts';

const init = workerData as PairWorkerInit;
// The margin is irrelevant here: pairs are built from the crops as stored (and resized as the bank says).
const bank: FaceBank = {
  size: init.size,
  margin: 0,
  resampling: init.resampling,
  entries: init.entries,
  crops: new Uint8Array(init.crops),
};

parentPort!.on('message', (request: PairRequest) => {
  try {
    const packed = packPairs(bank, request.items, init.inputSize, init.boundarySize);
    const transfer = [packed.real.buffer, packed.fake.buffer, packed.boundary.buffer] as ArrayBuffer[];
    parentPort!.postMessage({ id: request.id, packed }, transfer);
  } catch (error) {
    parentPort!.postMessage({
      id: request.id,
      error: error instanceof Error ? error.message : String(error),
    });
  }
});
