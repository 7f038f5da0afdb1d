/**
 * Where Unmask keeps its case library. The CLI and the desktop app share one folder: the app passes Electron's
 * `app.getPath('userData')`, and the CLI's default is the same path computed by hand (`appData/Unmask`).
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

export const APP_FOLDER_NAME = 'Unmask';

/** Electron's `appData` for this platform, joined with the app's folder name. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env['UNMASK_DATA_DIR']) return env['UNMASK_DATA_DIR'];
  if (platform === 'win32')
    return join(env['APPDATA'] ?? join(homedir(), 'AppData', 'Roaming'), APP_FOLDER_NAME);
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', APP_FOLDER_NAME);
  return join(env['XDG_CONFIG_HOME'] ?? join(homedir(), '.config'), APP_FOLDER_NAME);
}
