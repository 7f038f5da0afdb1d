/** The engine process under Electron: a utility process (Chromium's sandbox-aware child), one per job. */
import { utilityProcess } from 'electron';
import { ENGINE_ENTRY, type EngineLauncher } from '../host/engine-launcher.ts';
import type { FromEngine } from '../host/engine-messages.ts';

export const launchUtilityEngine: EngineLauncher = () => {
  const child = utilityProcess.fork(ENGINE_ENTRY, [], { serviceName: 'Unmask engine', stdio: 'inherit' });
  let exited = false;
  const exitListeners: Array<(code: number | null) => void> = [];
  child.on('exit', (code) => {
    exited = true;
    for (const listener of exitListeners) listener(code);
  });
  return {
    send: (message) => {
      if (!exited) child.postMessage(message);
    },
    onMessage: (listener) => child.on('message', (message) => listener(message as FromEngine)),
    onExit: (listener) => exitListeners.push(listener),
    kill: () => {
      if (!exited) child.kill();
    },
  };
};
