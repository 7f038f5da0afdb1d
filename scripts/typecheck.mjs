// Type-checks the three programs: engine + app host/main/preload (Node types), and the renderer (DOM, no Node).
// app/main and app/preload need Electron's type definitions, which ship in the `electron` package. Where its
// binary cannot be downloaded npm drops the package, so it is installed here without the binary (types only).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

const run = (command, args, env = process.env) => {
  const result = spawnSync(command, args, { stdio: 'inherit', env, shell: process.platform === 'win32' });
  if (result.status !== 0) process.exit(result.status ?? 1);
};

if (!existsSync('node_modules/electron/electron.d.ts')) {
  const version = JSON.parse(readFileSync('package.json', 'utf8')).optionalDependencies.electron;
  console.log(`typecheck: installing electron@${version} type definitions (without its binary)`);
  run('npm', ['install', '--no-save', '--no-audit', '--no-fund', `electron@${version}`], {
    ...process.env,
    ELECTRON_SKIP_BINARY_DOWNLOAD: '1',
  });
}
run('npx', ['tsc', '-p', 'tsconfig.json']);
run('npx', ['tsc', '-p', 'app/renderer/tsconfig.json']);
