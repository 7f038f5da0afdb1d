/**
 * The one place windows are made, with Electron's security checklist applied to every one of them:
 * sandboxed, context-isolated renderers without Node, no new windows, no navigation away from the app, and
 * a CSP (the meta tag in index.html, repeated as a response header for every app page).
 */
import { BrowserWindow, session, shell, type BrowserWindowConstructorOptions } from 'electron';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { rendererCsp } from '../host/wire.ts';
import { PRELOAD_FILE, RENDERER_DIR } from '../host/renderer-bundle.ts';
import { MEDIA_SCHEME } from './media-protocol.ts';

export const RENDERER_URL = pathToFileURL(join(RENDERER_DIR, 'index.html')).href;

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
    },
  };
}

let cspInstalled = false;

function installCsp(): void {
  if (cspInstalled) return;
  cspInstalled = true;
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': [rendererCsp({ websocket: false, mediaScheme: MEDIA_SCHEME })],
      },
    });
  });
  // No permission (camera, notifications, …) is ever granted to app pages.
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
}

export function createAppWindow(): BrowserWindow {
  installCsp();
  const window = new BrowserWindow(defaultWindowOptions());
  const { webContents } = window;
  webContents.setWindowOpenHandler(({ url }) => {
    // Links to documentation open in the system browser; nothing opens inside the app.
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  webContents.on('will-navigate', (event, url) => {
    if (url !== RENDERER_URL) event.preventDefault();
  });
  webContents.on('will-attach-webview', (event) => event.preventDefault());
  window.once('ready-to-show', () => window.show());
  void window.loadURL(RENDERER_URL);
  return window;
}
