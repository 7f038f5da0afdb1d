/**
 * Headers for the media the renderer plays (`/media` in `unmask serve`, `unmask-media://` in Electron). A file
 * is served as the video or picture type its name says, and as nothing else: any other file is an inert
 * download. Every answer carries `Content-Security-Policy: sandbox` and `nosniff`, so even a video-named HTML
 * page or an SVG with script runs nothing on the app's origin. Pure.
 */
import { extname } from 'node:path';

const MEDIA_TYPES: Record<string, string> = {
  '.mp4': 'video/mp4',
  '.m4v': 'video/mp4',
  '.mov': 'video/quicktime',
  '.webm': 'video/webm',
  '.mkv': 'video/x-matroska',
  '.avi': 'video/x-msvideo',
  '.mpg': 'video/mpeg',
  '.mpeg': 'video/mpeg',
  '.ts': 'video/mp2t',
  '.3gp': 'video/3gpp',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
};

export function mediaHeaders(path: string): Record<string, string> {
  const type = MEDIA_TYPES[extname(path).toLowerCase()];
  return {
    'content-type': type ?? 'application/octet-stream',
    'content-security-policy': 'sandbox',
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
    ...(type === undefined && { 'content-disposition': 'attachment' }),
  };
}
