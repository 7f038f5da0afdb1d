/**
 * How a browser proves it is the user's in `unmask serve`. The URL printed at start carries a bootstrap token
 * in its fragment; the page exchanges it once (`POST /api/session`) for a session cookie that is HttpOnly and
 * SameSite=Strict, and from then on every request, media URL and WebSocket is authenticated by that cookie. The
 * bootstrap token then stops working, so the copy that browser history keeps of the start URL opens nothing, and
 * no URL the page uses carries a secret.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

function sameSecret(given: string | undefined, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The value of cookie `name` in a Cookie header, if present. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

export class Sessions {
  readonly bootstrapToken = randomBytes(24).toString('hex');
  private bootstrapUsed = false;
  private readonly secrets: string[] = [];
  /** Each server names its own cookie: cookies are per host, not per port, and two servers may run at once. */
  readonly cookieName = `unmask_session_${randomBytes(4).toString('hex')}`;

  /** A new session for the bootstrap token, the first time it is presented; null afterwards or for another. */
  exchange(authorization: string | undefined): string | null {
    const bearer = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
    if (this.bootstrapUsed || !sameSecret(bearer, this.bootstrapToken)) return null;
    this.bootstrapUsed = true;
    const secret = randomBytes(24).toString('hex');
    this.secrets.push(secret);
    return secret;
  }

  /** The Set-Cookie header value for a session. */
  setCookie(secret: string): string {
    return `${this.cookieName}=${secret}; HttpOnly; SameSite=Strict; Path=/`;
  }

  /** True when the request carries a session cookie this server issued. */
  authenticated(req: IncomingMessage): boolean {
    const given = cookieValue(req.headers.cookie, this.cookieName);
    return this.secrets.some((secret) => sameSecret(given, secret));
  }
}
