/** The application menu. Commands the renderer carries out are sent to it as `menu-command` events. */
import { app, Menu, shell, type MenuItemConstructorOptions } from 'electron';
import type { MenuCommand } from '../common/contract.ts';
import { broadcast } from './ipc-handlers.ts';

export function installAppMenu(dataDir: string): void {
  const send = (command: MenuCommand) => () => broadcast('menu-command', { command });
  const isMac = process.platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [
    ...(isMac ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        { label: 'Open Video…', accelerator: 'CmdOrCtrl+O', click: send('open-video') },
        { role: 'recentDocuments', submenu: [{ role: 'clearRecentDocuments' }] },
        { type: 'separator' },
        { label: 'Open Data Folder', click: () => void shell.openPath(dataDir) },
        { type: 'separator' },
        isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { label: 'Home', accelerator: 'CmdOrCtrl+1', click: send('show-home') },
        { label: 'Analysis', accelerator: 'CmdOrCtrl+2', click: send('show-analysis') },
        { label: 'Batch', accelerator: 'CmdOrCtrl+3', click: send('show-batch') },
        { label: 'Studio', accelerator: 'CmdOrCtrl+4', click: send('show-studio') },
        { label: 'Reports', accelerator: 'CmdOrCtrl+5', click: send('show-reports') },
        { label: 'Settings', accelerator: 'CmdOrCtrl+6', click: send('show-settings') },
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { role: 'togglefullscreen' },
        // DevTools only while developing: a packaged build has no way to open them.
        ...(app.isPackaged ? [] : [{ role: 'toggleDevTools' as const }]),
      ],
    },
    { role: 'windowMenu' },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}
