// Flat ESLint config. Layer rules follow docs/architecture.md: engine/ never reaches electron, the DOM or app/;
// the renderer reaches only app/common; raw IPC lives in exactly one file per side.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Only app/main/ipc-handlers.ts (ipcMain) and app/preload/preload.ts (ipcRenderer) touch raw IPC (GitHub Desktop's rule). */
const rawIpc = {
  name: 'electron',
  importNames: ['ipcMain', 'ipcRenderer'],
  message:
    'Raw IPC lives only in app/main/ipc-handlers.ts and app/preload/preload.ts; use the app/common contract.',
};
const noElectron = (message) => ({ group: ['electron', 'electron/*'], message });
const APP_INTERNALS = ['**/host/**', '**/server/**', '**/main/**', '**/preload/**'];

/** One no-restricted-imports entry per folder (a later config object would replace an earlier one's options). */
const restrict = (files, options, ignores = []) => ({
  files,
  ignores,
  rules: { 'no-restricted-imports': ['error', options] },
});

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'out/',
      'resources/',
      'docs/',
      '**/*.d.ts',
      // AssemblyScript (SIMD kernels compiled to .wasm), not TypeScript.
      'engine/runtime/wasm-kernels/assembly/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-exports': ['error', { restrictDefaultExports: { direct: true } }],
    },
  },
  restrict(['**/*.ts', '**/*.tsx'], { paths: [rawIpc] }, [
    'app/main/ipc-handlers.ts',
    'app/preload/preload.ts',
  ]),
  restrict(['engine/**/*.ts'], {
    paths: [{ name: 'electron', message: 'engine/ must not import Electron.' }],
    patterns: [
      noElectron('engine/ must not import Electron.'),
      { group: ['**/app/**', '../app/*', '../../app/*'], message: 'engine/ must not import from app/.' },
    ],
  }),
  // Renderer tests are Node programs that test the renderer's pure modules (tsconfig.json type-checks them).
  restrict(
    ['app/renderer/**/*.ts', 'app/renderer/**/*.tsx'],
    {
      patterns: [
        { group: ['node:*'], message: 'The renderer runs in a browser: no Node modules.' },
        noElectron('The renderer talks only to window.unmask.'),
        {
          group: ['**/engine/**'],
          message: 'The renderer reaches the engine only through app/common and window.unmask.',
        },
        { group: APP_INTERNALS, message: 'The renderer imports only app/common.' },
      ],
    },
    ['app/renderer/**/*.test.ts'],
  ),
  restrict(['app/common/**/*.ts'], {
    patterns: [
      { group: ['node:*'], message: 'app/common is shared with the renderer: no Node modules.' },
      noElectron('app/common must not import Electron.'),
      {
        // The one exception: the verdict vocabulary, which imports nothing (see the rule for it below).
        regex: '/engine/(?!detect/verdict\\.ts$)',
        allowTypeImports: true,
        message: 'app/common may import engine types only (and engine/detect/verdict.ts).',
      },
      { group: [...APP_INTERNALS, '**/renderer/**'], message: 'app/common imports nothing else from app/.' },
    ],
  }),
  // The verdict vocabulary is bundled into the renderer (through app/common/verdict.ts): it imports nothing.
  restrict(['engine/detect/verdict.ts'], {
    patterns: [
      { group: ['*', '.*', '/*'], message: 'verdict.ts runs in the renderer too: it imports nothing.' },
    ],
  }),
  restrict(['app/host/**/*.ts', 'app/server/**/*.ts'], {
    paths: [rawIpc],
    patterns: [noElectron('app/host and app/server also run without Electron (unmask serve).')],
  }),
  {
    files: ['bin/**/*.js', 'scripts/**/*.mjs', 'app/**/*.mjs', 'bench/**/*.mjs', 'eslint.config.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
    rules: { 'no-restricted-exports': 'off' },
  },
);
