/**
 * Produces packed batches of training pairs (self-blended or supervised), on worker threads when asked, so the JavaScript pixel work
 * runs on another core while TensorFlow.js trains. Results are identical in-process and in workers.
 */
import type { Worker } from 'node:worker_threads';
import { startTsWorker } from '../util/ts-worker.ts';
import type { FaceBank, FaceBankEntry } from './face-bank.ts';
import { makeSupervisedPair, makeTrainingPair } from './training-pairs.ts';

/**
 * One pair of a batch: the bank's real face `index` with its self-blend, or, when `fakeIndex` is given, with
 * that known deepfake of the same source (a supervised pair).
 */
export interface PairItem {
  index: number;
  seed: number;
  fakeIndex?: number;
}

export interface PackedPairs {
  count: number;
  /** count × S × S × 3 */
  real: Float32Array;
  fake: Float32Array;
  /** count × b × b */
  boundary: Float32Array;
}

export interface PairWorkerInit {
  size: number;
  resampling: FaceBank['resampling'];
  entries: FaceBankEntry[];
  crops: SharedArrayBuffer;
  inputSize: number;
  boundarySize: number;
}

export interface PairRequest {
  id: number;
  items: PairItem[];
}

export function packPairs(
  bank: FaceBank,
  items: readonly PairItem[],
  inputSize: number,
  boundarySize: number,
): PackedPairs {
  const pixels = inputSize * inputSize * 3;
  const cells = boundarySize * boundarySize;
  const packed: PackedPairs = {
    count: items.length,
    real: new Float32Array(items.length * pixels),
    fake: new Float32Array(items.length * pixels),
    boundary: new Float32Array(items.length * cells),
  };
  items.forEach(({ index, seed, fakeIndex }, k) => {
    const pair =
      fakeIndex === undefined
        ? makeTrainingPair(bank, index, seed, inputSize, boundarySize)
        : makeSupervisedPair(bank, index, fakeIndex, seed, inputSize, boundarySize);
    packed.real.set(pair.real, k * pixels);
    packed.fake.set(pair.fake, k * pixels);
    packed.boundary.set(pair.boundary, k * cells);
  });
  return packed;
}

export interface PairProducer {
  produce(items: readonly PairItem[]): Promise<PackedPairs>;
  close(): Promise<void>;
}

export function createPairProducer(
  bank: FaceBank,
  inputSize: number,
  boundarySize: number,
  workerCount: number,
): PairProducer {
  if (workerCount <= 0) {
    return {
      produce: async (items) => packPairs(bank, items, inputSize, boundarySize),
      close: async () => undefined,
    };
  }
  const shared = new SharedArrayBuffer(bank.crops.byteLength);
  new Uint8Array(shared).set(bank.crops);
  const init: PairWorkerInit = {
    size: bank.size,
    resampling: bank.resampling,
    entries: bank.entries,
    crops: shared,
    inputSize,
    boundarySize,
  };
  const workers: Worker[] = Array.from({ length: workerCount }, () =>
    startTsWorker(new URL('./pair-worker.ts', import.meta.url), { workerData: init }),
  );
  const pending = new Map<number, { resolve: (p: PackedPairs) => void; reject: (e: Error) => void }>();
  for (const worker of workers) {
    worker.on('message', (message: { id: number; packed?: PackedPairs; error?: string }) => {
      const waiter = pending.get(message.id);
      pending.delete(message.id);
      if (message.packed) waiter?.resolve(message.packed);
      else waiter?.reject(new Error(message.error ?? 'pair worker failed'));
    });
    worker.on('error', (error) => {
      for (const waiter of pending.values()) waiter.reject(error);
      pending.clear();
    });
  }
  let nextId = 0;
  return {
    // Each batch is cut into one slice per worker, so all of them work on it at once.
    produce: async (items) => {
      const per = Math.ceil(items.length / workers.length);
      const slices = workers
        .map((worker, w) => ({ worker, slice: items.slice(w * per, (w + 1) * per) }))
        .filter(({ slice }) => slice.length > 0);
      const parts = await Promise.all(
        slices.map(
          ({ worker, slice }) =>
            new Promise<PackedPairs>((resolve, reject) => {
              const id = nextId++;
              pending.set(id, { resolve, reject });
              worker.postMessage({ id, items: slice } satisfies PairRequest);
            }),
        ),
      );
      return concatPacked(parts);
    },
    close: async () => {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

/** Packed pairs one after another, in order. Pure. */
export function concatPacked(parts: readonly PackedPairs[]): PackedPairs {
  if (parts.length === 1) return parts[0]!;
  const join = (pick: (p: PackedPairs) => Float32Array) => {
    const out = new Float32Array(parts.reduce((n, p) => n + pick(p).length, 0));
    let offset = 0;
    for (const p of parts) {
      out.set(pick(p), offset);
      offset += pick(p).length;
    }
    return out;
  };
  return {
    count: parts.reduce((n, p) => n + p.count, 0),
    real: join((p) => p.real),
    fake: join((p) => p.fake),
    boundary: join((p) => p.boundary),
  };
}
