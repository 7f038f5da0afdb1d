/**
 * What Electron's windows may load, navigate to and open, as pure decisions (no electron import, so Node tests
 * them). The renderer is served from the privileged `app://unmask/` origin, not file://, so its response CSP
 * applies and it has no file access.
 */

export const APP_SCHEME = 'app';
export const APP_HOST = 'unmask';
export const RENDERER_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/**
 * Documentation a link may open in the system browser; nothing else leaves the app. (The report sends readers
 * to a C2PA validator, and an old-ffmpeg warning to FFmpeg's downloads.)
 */
export const DOCUMENTATION_URLS: readonly string[] = [
  'https://contentcredentials.org/verify',
  'https://ffmpeg.org/download.html',
];

/** True for a documentation URL in the allowlist (exact origin and path; any query or fragment). */
export function externalUrlAllowed(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.username || parsed.password) return false;
  return DOCUMENTATION_URLS.includes(`${parsed.origin}${parsed.pathname}`);
}

/** A frame may navigate only to the app's own page, and only as the top frame: no subframe, no other site. */
export function navigationAllowed(url: string, isMainFrame: boolean): boolean {
  return isMainFrame && url.split('#')[0] === RENDERER_URL;
}

/** The renderer-relative path an `app://` request names, or null for another host or scheme. */
export function appRequestPath(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST ? parsed.pathname : null;
}
