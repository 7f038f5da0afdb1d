/**
 * `unmask-media://file/<encoded path>`: how the renderer's <video> plays a local file without file:// access.
 * Only files the host allows (videos the engine probed, cases' inputs, studio files) are served.
 */
import { net, protocol } from 'electron';
import { pathToFileURL } from 'node:url';

export const MEDIA_SCHEME = 'unmask-media';

/** Must run before the app is ready. */
export function registerMediaScheme(): void {
  protocol.registerSchemesAsPrivileged([
    {
      scheme: MEDIA_SCHEME,
      privileges: { standard: true, secure: true, stream: true, supportFetchAPI: true },
    },
  ]);
}

export function mediaUrl(path: string): string {
  return `${MEDIA_SCHEME}://file/${encodeURIComponent(path)}`;
}

export function handleMediaProtocol(isAllowed: (path: string) => Promise<boolean>): void {
  protocol.handle(MEDIA_SCHEME, async (request) => {
    const path = decodeURIComponent(new URL(request.url).pathname.slice(1));
    if (!(await isAllowed(path))) return new Response('Forbidden', { status: 403 });
    // net.fetch of a file: URL streams the file and answers Range requests, so the player can seek.
    return net.fetch(pathToFileURL(path).href, { headers: request.headers });
  });
}
