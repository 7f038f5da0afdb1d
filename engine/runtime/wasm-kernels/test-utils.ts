/** Shared helpers for the wasm-kernels tests (not used at runtime). */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { registerWasmTrainingKernels } from './register.ts';

/** Loads the wasm backend with our kernels; returns what registerWasmTrainingKernels registered. */
export async function setUpBackends(): Promise<string[]> {
  const names = registerWasmTrainingKernels();
  await useBackend('wasm');
  return names;
}

export async function useBackend(name: 'cpu' | 'wasm'): Promise<void> {
  assert.equal(await tf.setBackend(name), true, `tf.setBackend('${name}')`);
  await tf.ready();
  assert.equal(tf.getBackend(), name);
}

/** Small deterministic PRNG (mulberry32) so failures reproduce. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform values in [-1, 1). */
export function randomValues(rand: () => number, shape: readonly number[]): Float32Array {
  const out = new Float32Array(shape.reduce((p, d) => p * d, 1));
  for (let i = 0; i < out.length; i++) out[i] = rand() * 2 - 1;
  return out;
}

/** ‖a − b‖ / ‖b‖ in float64. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, 'lengths differ');
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    num += d * d;
    den += b[i]! * b[i]!;
  }
  if (den === 0) return num === 0 ? 0 : Infinity;
  return Math.sqrt(num / den);
}
