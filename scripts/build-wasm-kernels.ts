// Compiles the hand-written SIMD kernels (AssemblyScript) under engine/runtime/wasm-kernels/assembly/ to .wasm.
// The .wasm files are committed, so installing and running Unmask needs no compiler; the test
// engine/runtime/wasm-kernels/simd-kernels.test.ts rebuilds them and checks the committed bytes are current.
//
//   npm run build:kernels                                 write the .wasm files
//   npx tsx scripts/build-wasm-kernels.ts --out DIR       write them to DIR instead
import asc from 'assemblyscript/asc';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const sourceDir = join(root, 'engine/runtime/wasm-kernels/assembly');
export const KERNEL_SOURCES = ['conv2d'];

// Flags: no runtime or allocator, no abort strings (no data segment may land in the backend's heap), the
// backend's memory imported (and not exported again) rather than our own, and 128-bit SIMD.
const FLAGS = [
  '-O3',
  '--runtime',
  'stub',
  '--importMemory',
  '--noAssert',
  '--use',
  'abort=',
  '--enable',
  'simd',
  '--noExportMemory',
];

export async function buildWasmKernels(outDir: string = sourceDir): Promise<string[]> {
  mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  for (const name of KERNEL_SOURCES) {
    const out = join(outDir, `${name}.wasm`);
    const { error, stderr } = await asc.main([join(sourceDir, `${name}.ts`), ...FLAGS, '--outFile', out]);
    if (error) throw new Error(`asc failed on ${name}.ts: ${error.message}\n${stderr.toString()}`);
    written.push(out);
  }
  return written;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--out');
  const outDir = at > 0 ? process.argv[at + 1] : undefined;
  if (at > 0 && outDir === undefined) throw new Error('--out needs a folder');
  const files = await buildWasmKernels(outDir === undefined ? undefined : resolve(outDir));
  for (const f of files) console.log(`wrote ${f}`);
}
