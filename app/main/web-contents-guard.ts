/**
 * Electron's checklist for every web contents the app ever creates (the main window, the hidden PDF window,
 * anything a bug might open): no navigation or redirect away from the app page, no subframe navigation, no
 * new windows (allowlisted documentation opens in the system browser), no <webview>, and no permission of any
 * kind. Installed once, app-wide, before any window exists.
 */
import { app, session, shell, type WebContents } from 'electron';
import { externalUrlAllowed, navigationAllowed } from './navigation-rules.ts';

function guard(contents: WebContents): void {
  contents.setWindowOpenHandler(({ url }) => {
    if (externalUrlAllowed(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event) => {
    if (!navigationAllowed(event.url, event.isMainFrame)) event.preventDefault();
  });
  contents.on('will-frame-navigate', (event) => {
    if (!navigationAllowed(event.url, event.isMainFrame)) event.preventDefault();
  });
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

export function installWebContentsGuard(): void {
  app.on('web-contents-created', (_event, contents) => guard(contents));
}

/** Must run once the app is ready: no page is ever granted, or told it has, a permission. */
export function denyAllPermissions(): void {
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
}
