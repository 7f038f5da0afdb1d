// `npm start`: the Electron app where its binary is installed, otherwise `unmask serve` (prints the URL).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

function electronBinary() {
  try {
    const binary = require('electron');
    return typeof binary === 'string' && existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

const electron = electronBinary();
const [command, args] = electron
  ? [electron, ['.']]
  : [process.execPath, ['bin/unmask.js', 'serve', ...process.argv.slice(2)]];
if (!electron)
  console.log('Electron is not installed here: starting the app in browser mode (unmask serve).');
const child = spawn(command, args, { stdio: 'inherit' });
child.on('exit', (code) => process.exit(code ?? 0));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
