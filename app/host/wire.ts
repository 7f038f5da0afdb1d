/** What crosses the UI boundary besides values: errors as `{ code, message }`, and the renderer's CSP. */
import { isUnmaskError } from '../../engine/util/errors.ts';
import type { Envelope } from '../common/contract.ts';

export function wireError(error: unknown): Envelope<never> {
  if (isUnmaskError(error)) return { ok: false, error: { code: error.code, message: error.message } };
  return {
    ok: false,
    error: { code: 'internal', message: error instanceof Error ? error.message : String(error) },
  };
}

/** The renderer's Content-Security-Policy: nothing but the app's own origin (plus the media it is given). */
export function rendererCsp(options: { websocket: boolean; mediaScheme?: string }): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    `img-src 'self' data: blob:${options.mediaScheme ? ` ${options.mediaScheme}:` : ''}`,
    `media-src 'self' blob:${options.mediaScheme ? ` ${options.mediaScheme}:` : ''}`,
    `connect-src 'self'${options.websocket ? ' ws://127.0.0.1:* ws://localhost:*' : ''}`,
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
  ].join('; ');
}
