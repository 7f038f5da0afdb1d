/**
 * The renderer's only way out: `window.unmask` (set by the Electron preload or by web-bridge.ts). Also keeps a
 * log of named app events (`engine-ready`, `scan-finished`, `consent-warning-shown`, …) that the e2e suite
 * waits on instead of sleeping.
 */
import type { UnmaskApi } from '../common/contract.ts';

export const unmask: UnmaskApi = window.unmask;

export interface AppEventRecord {
  name: string;
  detail: Record<string, unknown>;
  at: number;
}

declare global {
  interface Window {
    unmask: UnmaskApi;
    unmaskAppEvents: AppEventRecord[];
  }
}

window.unmaskAppEvents = [];

/** Records a named app event (for tests and diagnostics) and dispatches it as `unmask:<name>` on window. */
export function signalAppEvent(name: string, detail: Record<string, unknown> = {}): void {
  window.unmaskAppEvents.push({ name, detail, at: Date.now() });
  window.dispatchEvent(new CustomEvent(`unmask:${name}`, { detail }));
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
