/**
 * Finds a Chromium to print reports with (and, in tests, to drive the UI): UNMASK_CHROMIUM_PATH, then the
 * system's Chromium or Chrome, then a browser Playwright downloaded, if any. Nothing is downloaded here.
 */
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { UnmaskError } from '../util/errors.ts';

const SYSTEM_CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
  'C:\\Program Files (x86)\\Google\\Chrome\\Application\\chrome.exe',
];

/** Flags for a headless, offline-quiet Chromium (no sync, no component updates, no background requests). */
export const QUIET_CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export function findChromium(env: NodeJS.ProcessEnv = process.env): string | null {
  const fromEnv = env['UNMASK_CHROMIUM_PATH'];
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : null;
  for (const candidate of SYSTEM_CANDIDATES) if (existsSync(candidate)) return candidate;
  try {
    const bundled = chromium.executablePath();
    if (bundled && existsSync(bundled)) return bundled;
  } catch {
    // Playwright has no browser of its own here.
  }
  return null;
}

export function requireChromium(): string {
  const found = findChromium();
  if (!found) {
    throw new UnmaskError(
      'runtimeMissing',
      'PDF export needs Chromium or Chrome. Install it (Debian/Ubuntu: apt-get install chromium) or set UNMASK_CHROMIUM_PATH.',
    );
  }
  return found;
}
