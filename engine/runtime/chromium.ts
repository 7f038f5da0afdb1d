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

/**
 * Flags for a headless Chromium from which nothing leaves this computer, as the product promises. Playwright's
 * own defaults already switch off background networking, component updates and field trials, yet Chromium still
 * looked up accounts.google.com and update.googleapis.com (sign-in and the updater, enabled by the Google API
 * keys that distributions build in). So every host name but this machine's resolves to "not found" without a
 * DNS query, and every other connection goes to a proxy on a closed loopback port: such requests now fail inside
 * the machine. A report needs no network at all: its HTML embeds everything and its CSP loads nothing. (Chromium
 * still connects a UDP socket to 2001:4860:4860::8888 to ask the kernel for an IPv6 route; that sends nothing.)
 * engine/report/pdf-network.test.ts traces a PDF export and fails on any packet towards another machine.
 */
export const QUIET_CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  // This machine stays reachable: `unmask serve` (the e2e suite, tests) is on 127.0.0.1.
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1',
  '--proxy-server=http://127.0.0.1:9',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-domain-reliability',
  '--disable-client-side-phishing-detection',
  '--no-pings',
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
