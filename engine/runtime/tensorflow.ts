/**
 * Picks the fastest TensorFlow.js backend present, in this order:
 *   1. `tensorflow` — native libtensorflow through @tensorflow/tfjs-node (optional dependency; its install
 *      script downloads libtensorflow, so it is missing where that download is blocked);
 *   2. `wasm`       — @tensorflow/tfjs-backend-wasm, whose .wasm files ship inside the npm package, plus our
 *      training kernels (see ./wasm-kernels);
 *   3. `cpu`        — pure JavaScript, always present, about two orders of magnitude slower.
 * `UNMASK_TF_BACKEND=cpu|wasm|tensorflow` forces one. Every attempt is recorded so `unmask doctor` can say why.
 */
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { registerFastGradients } from './gradients/fused-batch-norm-grad.ts';

export type TensorflowBackendName = 'tensorflow' | 'wasm' | 'cpu';
export const BACKEND_PREFERENCE: readonly TensorflowBackendName[] = ['tensorflow', 'wasm', 'cpu'];

export interface BackendAttempt {
  backend: TensorflowBackendName;
  ok: boolean;
  detail: string;
}

export interface BackendSelection {
  backend: TensorflowBackendName;
  tfjsVersion: string;
  attempts: BackendAttempt[];
}

const require = createRequire(import.meta.url);
let selection: Promise<BackendSelection> | undefined;

/** Loads the module that registers a backend; returns a short description of what was loaded. */
async function registerBackend(name: TensorflowBackendName): Promise<string> {
  switch (name) {
    case 'tensorflow': {
      const tfnode = require('@tensorflow/tfjs-node') as { version: Record<string, string> };
      return `@tensorflow/tfjs-node ${tfnode.version['tfjs-node'] ?? ''} (libtensorflow)`.trim();
    }
    case 'wasm': {
      const wasm = require('@tensorflow/tfjs-backend-wasm') as { version_wasm: string };
      const { registerWasmTrainingKernels } = await import('./wasm-kernels/register.ts');
      const kernels = registerWasmTrainingKernels();
      return `@tensorflow/tfjs-backend-wasm ${wasm.version_wasm} (SIMD, single thread; training kernels: ${kernels.join(', ') || 'none'})`;
    }
    case 'cpu':
      return 'pure JavaScript kernels from @tensorflow/tfjs-backend-cpu';
  }
}

async function trySelect(order: readonly TensorflowBackendName[]): Promise<BackendSelection> {
  registerFastGradients();
  const attempts: BackendAttempt[] = [];
  for (const backend of order) {
    try {
      const detail = await registerBackend(backend);
      const ok = await tf.setBackend(backend);
      if (!ok) throw new Error(`tf.setBackend('${backend}') returned false`);
      await tf.ready();
      attempts.push({ backend, ok: true, detail });
      return { backend, tfjsVersion: tf.version.tfjs, attempts };
    } catch (error) {
      const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
      attempts.push({ backend, ok: false, detail: message });
    }
  }
  throw new Error(
    `No TensorFlow.js backend could start: ${attempts.map((a) => `${a.backend}: ${a.detail}`).join('; ')}`,
  );
}

function requestedOrder(): readonly TensorflowBackendName[] {
  const forced = process.env['UNMASK_TF_BACKEND'];
  if (!forced) return BACKEND_PREFERENCE;
  if (!(BACKEND_PREFERENCE as readonly string[]).includes(forced)) {
    throw new Error(`UNMASK_TF_BACKEND must be one of ${BACKEND_PREFERENCE.join(', ')}, got '${forced}'`);
  }
  return [forced as TensorflowBackendName];
}

/** Selects (once per process) and returns the backend in use. Safe to call from anywhere. */
export function initTensorflow(): Promise<BackendSelection> {
  selection ??= trySelect(requestedOrder());
  return selection;
}

export { tf };

/** The wasm backend's view of its heap (tfjs-backend-wasm's BackendWasm, the one method used here). */
interface HeapBackend {
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}

/**
 * Copies a float32 tensor's values into `target` at `offset`. On the wasm backend it copies straight from the
 * heap, where `dataSync()` would first copy into a new array (11 MB a step for the swap model's gradients).
 */
export function copyTensorInto(target: Float32Array, offset: number, t: tf.Tensor): void {
  if (t.dtype === 'float32' && tf.getBackend() === 'wasm') {
    target.set((tf.backend() as unknown as HeapBackend).typedArrayFromHeap(t), offset);
  } else {
    target.set(t.dataSync() as Float32Array, offset);
  }
}
