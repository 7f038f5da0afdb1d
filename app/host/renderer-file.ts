/**
 * Which file of the built renderer a request names: the one rule `unmask serve` (HTTP) and Electron's `app://`
 * protocol share. Pure.
 */
import { join, normalize, sep } from 'node:path';

/**
 * The renderer file a URL path names, or null: undecodable paths, paths outside the renderer folder, and source
 * maps (they would show where Unmask is installed) are not served.
 */
export function rendererFile(rendererDir: string, pathname: string): string | null {
  let decoded: string;
  try {
    decoded = pathname === '/' ? 'index.html' : decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const file = join(rendererDir, normalize(decoded).replace(/^[/\\]+/, ''));
  const inside = file.startsWith(rendererDir.endsWith(sep) ? rendererDir : rendererDir + sep);
  return inside && !file.endsWith('.map') ? file : null;
}
