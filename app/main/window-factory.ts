/**
 * The one place windows are made, with Electron's security checklist applied to every one of them:
 * sandboxed, context-isolated renderers without Node, DevTools only outside a packaged build, and the app page
 * from `app://unmask/` (app-protocol.ts: CSP as a response header, and the meta tag in index.html). What every
 * web contents may navigate to or open is enforced app-wide by web-contents-guard.ts.
 */
import { app, BrowserWindow, type BrowserWindowConstructorOptions } from 'electron';
import { PRELOAD_FILE } from '../host/renderer-bundle.ts';
import { RENDERER_URL } from './navigation-rules.ts';

export function defaultWindowOptions(): BrowserWindowConstructorOptions {
  return {
    width: 1360,
    height: 880,
    minWidth: 960,
    minHeight: 640,
    backgroundColor: '#0d1117',
    show: false,
    title: 'Unmask',
    webPreferences: {
      preload: PRELOAD_FILE,
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      devTools: !app.isPackaged,
    },
  };
}

export function createAppWindow(): BrowserWindow {
  const window = new BrowserWindow(defaultWindowOptions());
  window.once('ready-to-show', () => window.show());
  void window.loadURL(RENDERER_URL);
  return window;
}
