/**
 * The one launcher fixture: the Electron app through `_electron.launch` where the Electron binary exists,
 * otherwise Debian Chromium against `unmask serve`. Specs only see `LaunchedApp`, so they run unchanged on
 * both. Every launch records a Playwright trace; `finish(failed)` keeps it, with a screenshot, on failure.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  _electron,
  chromium,
  type Browser,
  type BrowserContext,
  type ElectronApplication,
  type Page,
} from 'playwright-core';
import { QUIET_CHROMIUM_ARGS, requireChromium } from '../engine/runtime/chromium.ts';

const REPO = fileURLToPath(new URL('../', import.meta.url));
export const ARTIFACTS_DIR = join(REPO, 'e2e', 'artifacts');

export interface LaunchedApp {
  kind: 'electron' | 'browser';
  page: Page;
  dataDir: string;
  /** Makes the next "Open video…" pick this file (mocks the native dialog, or answers the file chooser). */
  openVideoWith(path: string, click: () => Promise<void>): Promise<void>;
  /** Kills the running engine process(es) with SIGKILL, as a crash would; returns how many were killed. */
  killEngine(): number;
  /** Stops the app; on failure keeps a screenshot and the trace under e2e/artifacts/<name>. */
  finish(name: string, failed: boolean): Promise<void>;
}

function electronBinary(): string | null {
  try {
    const binary = createRequire(import.meta.url)('electron') as unknown;
    return typeof binary === 'string' && existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

async function startServe(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [join(REPO, 'bin', 'unmask.js'), 'serve', '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /(http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) =>
      reject(new Error(`unmask serve exited (${code}) before printing its URL:\n${out}`)),
    );
  });
  return { child, url };
}

export async function launchApp(): Promise<LaunchedApp> {
  const dataDir = await mkdtemp(join(tmpdir(), 'unmask-e2e-'));
  const electron = process.env['UNMASK_E2E_SHELL'] === 'browser' ? null : electronBinary();
  let page: Page;
  let context: BrowserContext;
  let close: () => Promise<void>;
  let electronApp: ElectronApplication | null = null;
  let rootPid = 0;
  if (electron) {
    electronApp = await _electron.launch({
      executablePath: electron,
      args: [join(REPO, 'app', 'main', 'bootstrap.mjs')],
      env: { ...process.env, UNMASK_DATA_DIR: dataDir } as Record<string, string>,
    });
    context = electronApp.context();
    await context.tracing.start({ screenshots: true, snapshots: true });
    page = await electronApp.firstWindow();
    rootPid = electronApp.process().pid ?? 0;
    close = () => electronApp!.close();
  } else {
    const server = await startServe(dataDir);
    rootPid = server.child.pid ?? 0;
    let browser: Browser;
    try {
      browser = await chromium.launch({ executablePath: requireChromium(), args: QUIET_CHROMIUM_ARGS });
    } catch (error) {
      server.child.kill();
      throw error;
    }
    context = await browser.newContext({ viewport: { width: 1360, height: 880 }, deviceScaleFactor: 1 });
    await context.tracing.start({ screenshots: true, snapshots: true });
    page = await context.newPage();
    await page.goto(server.url);
    close = async () => {
      await browser.close();
      server.child.kill('SIGTERM');
      await new Promise((resolve) => server.child.once('exit', resolve));
    };
  }
  await waitForAppEvent(page, 'app-ready', 0);
  return {
    kind: electron ? 'electron' : 'browser',
    page,
    dataDir,
    async openVideoWith(path, click) {
      if (electronApp) {
        await electronApp.evaluate(({ dialog }, chosen) => {
          dialog.showOpenDialog = (async () => ({
            canceled: false,
            filePaths: [chosen],
          })) as typeof dialog.showOpenDialog;
        }, path);
        await click();
      } else {
        const chooser = page.waitForEvent('filechooser');
        await click();
        await (await chooser).setFiles(path);
      }
    },
    killEngine() {
      // Engine processes: Node children running the bootstrap, or Electron utility processes (Node service).
      const table = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' });
      const rows = table
        .split('\n')
        .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), args: m[3]! }));
      const engines = rows.filter(
        (r) => r.ppid === rootPid && /engine-process-bootstrap|node\.mojom\.NodeService/.test(r.args),
      );
      for (const engine of engines) process.kill(engine.pid, 'SIGKILL');
      return engines.length;
    },
    async finish(name, failed) {
      try {
        if (failed) {
          const dir = join(ARTIFACTS_DIR, name.replace(/[^\w.-]+/g, '_'));
          await mkdir(dir, { recursive: true });
          await page.screenshot({ path: join(dir, 'failure.png'), fullPage: true }).catch(() => undefined);
          await context.tracing.stop({ path: join(dir, 'trace.zip') });
          process.stderr.write(`e2e: kept ${dir}/failure.png and trace.zip\n`);
        } else {
          await context.tracing.stop();
        }
      } finally {
        await close();
        await rm(dataDir, { recursive: true, force: true });
      }
    },
  };
}

/** Number of app events recorded so far (pass it to waitForAppEvent to wait only for newer ones). */
export function appEventCount(page: Page): Promise<number> {
  return page.evaluate(() => window.unmaskAppEvents?.length ?? 0);
}

/** Waits for a named app event recorded at or after index `since`; returns its detail. */
export async function waitForAppEvent(
  page: Page,
  name: string,
  since: number,
  timeoutMs = 180_000,
): Promise<Record<string, unknown>> {
  const handle = await page.waitForFunction(
    ([wanted, from]) =>
      window.unmaskAppEvents?.slice(from as number).find((e) => e.name === wanted)?.detail ?? false,
    [name, since] as const,
    { timeout: timeoutMs, polling: 100 },
  );
  return (await handle.jsonValue()) as Record<string, unknown>;
}

/**
 * Waits until the element with this test id has a numeric attribute of at least `min` (e.g. the timeline's
 * `data-points`, the overlay's `data-boxes`). A function, not a string: the app's CSP forbids eval.
 */
export async function waitForCount(
  page: Page,
  testId: string,
  attribute: string,
  min: number,
): Promise<number> {
  const handle = await page.waitForFunction(
    ([id, name, least]) => {
      const value = Number(document.querySelector(`[data-testid="${id}"]`)?.getAttribute(name as string));
      return value >= (least as number) ? value : false;
    },
    [testId, attribute, min] as const,
    { timeout: 120_000, polling: 100 },
  );
  return (await handle.jsonValue()) as number;
}

declare global {
  // The page's globals as the callbacks above see them (e2e is type-checked with Node types, not the DOM lib).
  var window: { unmaskAppEvents?: Array<{ name: string; detail: Record<string, unknown> }> };
  var document: { querySelector(selector: string): { getAttribute(name: string): string | null } | null };
}
