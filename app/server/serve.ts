/** Starts `unmask serve`: builds the renderer, creates the host with a Node engine process, serves both. */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { openCaseLibrary } from '../host/case-library.ts';
import { launchNodeEngine } from '../host/engine-launcher.ts';
import { buildAppBundles, RENDERER_DIR } from '../host/renderer-bundle.ts';
import { createHost } from '../host/request-handlers.ts';
import { startHttpServer, type RunningServer } from './http-server.ts';
import { DEFAULT_MAX_UPLOAD_BYTES } from './uploads.ts';

const APP_VERSION = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

/** Opens a folder in the system file manager (the browser runs on this same machine: we bind 127.0.0.1). */
function openFolder(dir: string): Promise<boolean> {
  const command =
    process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  return new Promise((resolve) => {
    const child = spawn(command, [dir], { stdio: 'ignore', detached: true });
    child.once('error', () => resolve(false));
    child.once('spawn', () => {
      child.unref();
      resolve(true);
    });
  });
}

export interface ServeOptions {
  dataDir: string;
  port: number;
}

export async function startServe(options: ServeOptions): Promise<RunningServer> {
  await buildAppBundles();
  const cases = openCaseLibrary(options.dataDir);
  return startHttpServer({
    rendererDir: RENDERER_DIR,
    uploadDir: join(options.dataDir, 'imports'),
    maxUploadBytes: DEFAULT_MAX_UPLOAD_BYTES,
    // An upload is kept once it is a case's input; the others go when the server starts or stops.
    keepsUpload: async (path) => (await cases.knownPaths()).includes(path),
    port: options.port,
    createHost: (emit, mediaUrl, downloadUrl) =>
      createHost({
        dataDir: options.dataDir,
        launchEngine: launchNodeEngine,
        cases,
        emit,
        shell: {
          info: {
            name: 'Unmask',
            version: APP_VERSION,
            shell: 'browser',
            platform: process.platform,
            maxUploadBytes: DEFAULT_MAX_UPLOAD_BYTES,
          },
          // In a browser the web bridge shows the browser's own file chooser and uploads the file.
          chooseVideo: async () => null,
          mediaUrl,
          // The browser may be the only window the user has on this machine: reports come to it as downloads.
          downloadUrl,
          openFolder,
        },
      }),
  });
}
