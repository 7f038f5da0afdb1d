/**
 * The renderer's own origin, `app://unmask/`: a privileged custom protocol instead of file://, so the page has no
 * file access, its CSP comes as a response header, and only files of the built renderer are served
 * (navigation-rules.ts and renderer-file.ts decide which). Also registers `unmask-media:` as privileged: Electron
 * takes one registration for all custom schemes, before the app is ready.
 */
import { protocol } from 'electron';
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { rendererFile } from '../host/renderer-file.ts';
import { RENDERER_DIR } from '../host/renderer-bundle.ts';
import { rendererCsp } from '../host/wire.ts';
import { MEDIA_SCHEME } from './media-protocol.ts';
import { APP_SCHEME, appRequestPath } from './navigation-rules.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** Must run before the app is ready. */
export function registerAppSchemes(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
    {
      scheme: MEDIA_SCHEME,
      privileges: { standard: true, secure: true, stream: true, supportFetchAPI: true },
    },
  ]);
}

export function handleAppProtocol(): void {
  const csp = rendererCsp({ websocket: false, mediaScheme: MEDIA_SCHEME });
  protocol.handle(APP_SCHEME, async (request) => {
    const path = appRequestPath(request.url);
    const file = path === null ? null : rendererFile(RENDERER_DIR, path);
    if (!file) return new Response('Not found', { status: 404 });
    const body = await readFile(file).catch(() => null);
    if (!body) return new Response('Not found', { status: 404 });
    return new Response(body, {
      headers: {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'content-security-policy': csp,
        'x-content-type-options': 'nosniff',
      },
    });
  });
}
