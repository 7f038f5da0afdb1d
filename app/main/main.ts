/**
 * Electron main process: one window from the factory, IPC handlers from the shared host, the engine in
 * utility processes, native dialogs, the menu, recent documents, the app and media protocols, and the app-wide
 * guard on every web contents.
 */
import { app, BrowserWindow, dialog, shell } from 'electron';
import { openCaseLibrary } from '../host/case-library.ts';
import { buildAppBundles } from '../host/renderer-bundle.ts';
import { createHost, type Host } from '../host/request-handlers.ts';
import { installAppMenu } from './app-menu.ts';
import { broadcast, registerIpcHandlers } from './ipc-handlers.ts';
import { handleAppProtocol, registerAppSchemes } from './app-protocol.ts';
import { handleMediaProtocol, mediaUrl } from './media-protocol.ts';
import { printHtmlToPdf } from './pdf-printer.ts';
import { launchUtilityEngine } from './utility-engine.ts';
import { denyAllPermissions, installWebContentsGuard } from './web-contents-guard.ts';
import { createAppWindow } from './window-factory.ts';

const VIDEO_EXTENSIONS = ['mp4', 'mov', 'm4v', 'mkv', 'webm', 'avi', 'mpg', 'mpeg', 'ts', '3gp'];

registerAppSchemes();
installWebContentsGuard();
if (process.env['UNMASK_DATA_DIR']) app.setPath('userData', process.env['UNMASK_DATA_DIR']);

let host: Host | null = null;

async function start(): Promise<void> {
  // A packaged app ships the built renderer; from a checkout it is rebuilt on start (well under a second).
  if (!app.isPackaged) await buildAppBundles();
  const dataDir = app.getPath('userData');
  denyAllPermissions();
  handleAppProtocol();
  host = createHost({
    dataDir,
    launchEngine: launchUtilityEngine,
    cases: openCaseLibrary(dataDir),
    emit: broadcast,
    shell: {
      info: { name: app.getName(), version: app.getVersion(), shell: 'electron', platform: process.platform },
      chooseVideo: async () => {
        const parent = BrowserWindow.getFocusedWindow();
        const options = {
          title: 'Open a video',
          properties: ['openFile' as const],
          filters: [
            { name: 'Videos', extensions: VIDEO_EXTENSIONS },
            { name: 'All files', extensions: ['*'] },
          ],
        };
        const result = parent
          ? await dialog.showOpenDialog(parent, options)
          : await dialog.showOpenDialog(options);
        const path = result.canceled ? undefined : result.filePaths[0];
        if (!path) return null;
        app.addRecentDocument(path);
        return { path };
      },
      chooseFolder: async () => {
        const parent = BrowserWindow.getFocusedWindow();
        const options = { title: 'Choose a folder of videos', properties: ['openDirectory' as const] };
        const result = parent
          ? await dialog.showOpenDialog(parent, options)
          : await dialog.showOpenDialog(options);
        return result.canceled ? null : (result.filePaths[0] ?? null);
      },
      chooseSavePath: async (defaultPath) => {
        const parent = BrowserWindow.getFocusedWindow();
        const options = {
          title: 'Save the render as',
          defaultPath,
          filters: [{ name: 'MP4 video', extensions: ['mp4'] }],
        };
        const result = parent
          ? await dialog.showSaveDialog(parent, options)
          : await dialog.showSaveDialog(options);
        return result.canceled || !result.filePath ? null : result.filePath;
      },
      mediaUrl,
      openFolder: async (dir) => (await shell.openPath(dir)) === '',
      printPdf: printHtmlToPdf,
    },
  });
  const ready = host;
  handleMediaProtocol((path) => ready.isAllowedMedia(path));
  registerIpcHandlers(host.handlers);
  installAppMenu(dataDir);
  createAppWindow();
}

app.enableSandbox();
app.whenReady().then(start, (error: unknown) => {
  dialog.showErrorBox('Unmask could not start', error instanceof Error ? error.message : String(error));
  app.exit(1);
});
app.on('activate', () => {
  if (host && BrowserWindow.getAllWindows().length === 0) createAppWindow();
});
app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
app.on('before-quit', () => host?.close());
