/** Test helper: runs the real `unmask` CLI in a child process and captures what it printed. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI_PATH = fileURLToPath(new URL('../../bin/unmask.js', import.meta.url));

let testDataDir: string | undefined;

/** One case library per test process, so CLI tests never write into the user's own. */
export function testDataDirectory(): string {
  testDataDir ??= mkdtempSync(join(tmpdir(), 'unmask-cases-'));
  return testDataDir;
}

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runUnmask(
  args: string[],
  env: Record<string, string | undefined> = {},
  cwd?: string,
): CliResult {
  const result = spawnSync(process.execPath, [CLI_PATH, ...args], {
    encoding: 'utf8',
    env: { ...process.env, UNMASK_DATA_DIR: testDataDirectory(), ...env },
    cwd,
    timeout: 300_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export interface RunningCli {
  child: ChildProcess;
  /** Everything printed on standard error so far. */
  stderr(): string;
  /** Resolves with the first stderr line matching `pattern` (rejects if the process exits first). */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit status (null if killed by a signal). */
  exited: Promise<number | null>;
}

/** Starts the real `unmask` CLI in the background (for commands that run alongside others). */
export function startUnmask(args: string[], env: Record<string, string | undefined> = {}): RunningCli {
  const child = spawn(process.execPath, [CLI_PATH, ...args], {
    env: { ...process.env, UNMASK_DATA_DIR: testDataDirectory(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  const waiters = new Set<() => void>();
  child.stdout!.resume();
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    for (const check of waiters) check();
  });
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return {
    child,
    stderr: () => stderr,
    exited,
    waitForLine(pattern, timeoutMs = 120_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms:\n${stderr}`));
        }, timeoutMs);
        const check = () => {
          const line = stderr.split('\n').find((l) => pattern.test(l));
          if (line === undefined) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(line);
        };
        waiters.add(check);
        check();
        exited.then(() => {
          if (!waiters.has(check)) return;
          waiters.delete(check);
          clearTimeout(timer);
          reject(new Error(`process exited before printing ${pattern}:\n${stderr}`));
        });
      });
    },
  };
}
