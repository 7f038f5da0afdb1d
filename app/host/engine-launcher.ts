/**
 * Starting the engine process. The host only needs `EngineProcess`; Electron main supplies a launcher built on
 * `utilityProcess.fork`, `unmask serve` the Node one below (child_process.fork).
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FromEngine, ToEngine } from './engine-messages.ts';

export interface EngineProcess {
  send(message: ToEngine): void;
  onMessage(listener: (message: FromEngine) => void): void;
  /** Called once when the process ends, with its exit code (null when killed by a signal). */
  onExit(listener: (code: number | null) => void): void;
  kill(): void;
}

export type EngineLauncher = () => EngineProcess;

/** The bootstrap module that registers tsx and loads engine-process.ts. */
export const ENGINE_ENTRY = fileURLToPath(new URL('./engine-process-bootstrap.mjs', import.meta.url));

export const launchNodeEngine: EngineLauncher = () => {
  const child = fork(ENGINE_ENTRY, [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'advanced',
  });
  let exited = false;
  const exitListeners: Array<(code: number | null) => void> = [];
  child.on('exit', (code) => {
    exited = true;
    for (const listener of exitListeners) listener(code);
  });
  child.on('error', () => undefined);
  return {
    send: (message) => {
      if (!exited && child.connected) child.send(message);
    },
    onMessage: (listener) => child.on('message', (message) => listener(message as FromEngine)),
    onExit: (listener) => exitListeners.push(listener),
    kill: () => {
      if (!exited) child.kill('SIGKILL');
    },
  };
};
