/** Test helper: runs the real `unmask` CLI in a child process and captures what it printed. */
import { spawnSync } from 'node:child_process';
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
