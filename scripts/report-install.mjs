// postinstall: says which native pieces arrived and which fallbacks will be used. Never fails the install.
// electron, @tensorflow/tfjs-node and ffmpeg-static are optionalDependencies: when their own install scripts
// cannot download a binary, npm drops them and the install still succeeds.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';

const require = createRequire(import.meta.url);

function check(label, probe, fallback) {
  let present = false;
  try {
    present = probe();
  } catch {
    present = false;
  }
  console.log(`unmask: ${present ? '✓' : '–'} ${label}${present ? '' : ` missing → ${fallback}`}`);
}

try {
  check(
    'electron binary',
    () => existsSync(require('electron')),
    'the app runs in a browser via `npm start` (unmask serve)',
  );
  check(
    '@tensorflow/tfjs-node (libtensorflow)',
    () => Boolean(require.resolve('@tensorflow/tfjs-node')),
    'WebAssembly backend',
  );
  check(
    'ffmpeg-static binary',
    () => existsSync(require('ffmpeg-static') ?? ''),
    'ffmpeg from @ffmpeg-installer or the system',
  );
  console.log('unmask: run `npx unmask doctor` to see exactly what was chosen.');
} catch (error) {
  console.log(`unmask: install report skipped (${error})`);
}
