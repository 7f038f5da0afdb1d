/**
 * Training kernels that @tensorflow/tfjs-backend-wasm 4.22 lacks or runs slowly.
 * Placeholder until the kernels land: registers nothing.
 */
export function registerWasmTrainingKernels(): string[] {
  return [];
}
