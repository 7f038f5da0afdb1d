/**
 * Builds the renderer (and the Electron preload) with esbuild into dist/app. Takes well under a second, so
 * `unmask serve`, `npm start` and the e2e suite simply build on start; a packaged app ships the output.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const APP_DIR = fileURLToPath(new URL('../', import.meta.url));
export const BUNDLE_DIR = fileURLToPath(new URL('../../dist/app/', import.meta.url));
export const RENDERER_DIR = join(BUNDLE_DIR, 'renderer');
export const PRELOAD_FILE = join(BUNDLE_DIR, 'preload', 'preload.cjs');

const require = createRequire(import.meta.url);

export async function buildAppBundles(): Promise<void> {
  const renderer = join(APP_DIR, 'renderer');
  await mkdir(RENDERER_DIR, { recursive: true });
  await Promise.all([
    build({
      entryPoints: {
        renderer: join(renderer, 'main.tsx'),
        'web-bridge': join(renderer, 'web-bridge.ts'),
      },
      outdir: RENDERER_DIR,
      bundle: true,
      format: 'iife',
      platform: 'browser',
      target: 'chrome120',
      jsx: 'automatic',
      jsxImportSource: 'preact',
      sourcemap: 'linked',
      minify: true,
      logLevel: 'warning',
      loader: { '.css': 'css' },
    }),
    build({
      entryPoints: [join(APP_DIR, 'preload', 'preload.ts')],
      outfile: PRELOAD_FILE,
      bundle: true,
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      external: ['electron'],
      logLevel: 'warning',
    }),
    copyFile(join(renderer, 'index.html'), join(RENDERER_DIR, 'index.html')),
    copyFile(join(renderer, 'styles.css'), join(RENDERER_DIR, 'styles.css')),
    copyFile(require.resolve('uplot/dist/uPlot.min.css'), join(RENDERER_DIR, 'uplot.css')),
  ]);
}
