/**
 * `unmask-media://file/<encoded path>`: how the renderer's <video> plays a local file without file:// access.
 * Only files the host allows (videos the engine probed, cases' inputs, studio files) are served. The scheme is
 * registered as privileged with the app's own in app-protocol.ts.
 */
import { net, protocol } from 'electron';
import { pathToFileURL } from 'node:url';
import { mediaHeaders } from '../host/media-headers.ts';

export const MEDIA_SCHEME = 'unmask-media';

export function mediaUrl(path: string): string {
  return `${MEDIA_SCHEME}://file/${encodeURIComponent(path)}`;
}

export function handleMediaProtocol(isAllowed: (path: string) => Promise<boolean>): void {
  protocol.handle(MEDIA_SCHEME, async (request) => {
    const path = decodeURIComponent(new URL(request.url).pathname.slice(1));
    if (!(await isAllowed(path))) return new Response('Forbidden', { status: 403 });
    // net.fetch of a file: URL streams the file and answers Range requests, so the player can seek. Its type
    // and the sandbox come from media-headers.ts, never from the file's content.
    const file = await net.fetch(pathToFileURL(path).href, { headers: request.headers });
    const headers = new Headers(file.headers);
    for (const [name, value] of Object.entries(mediaHeaders(path))) headers.set(name, value);
    return new Response(file.body, { status: file.status, statusText: file.statusText, headers });
  });
}
