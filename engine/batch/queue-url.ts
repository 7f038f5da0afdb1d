/**
 * The `--queue` address: `redis://[user:password@]host[:port][/db]` (or `rediss://` for TLS), parsed into the
 * connection options BullMQ passes to ioredis. Pure: no connection is made here.
 */

export interface QueueAddress {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  tls: boolean;
  /** The address with any password replaced by `***`, safe to print. */
  display: string;
}

export const DEFAULT_REDIS_PORT = 6379;

export function parseQueueUrl(text: string): QueueAddress {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`"${text}" is not a URL; expected redis://host:port`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:')
    throw new Error(`unsupported scheme "${url.protocol}"; expected redis://host:port or rediss://`);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) throw new Error(`no host in "${text}"; expected redis://host:port`);
  const port = url.port ? Number(url.port) : DEFAULT_REDIS_PORT;
  const dbText = url.pathname.replace(/^\//, '');
  if (dbText !== '' && !/^\d+$/.test(dbText))
    throw new Error(`database "${dbText}" is not a number; expected redis://host:port/0`);
  if (url.search || url.hash) throw new Error(`"${text}" has a query or fragment, which are not supported`);
  const username = url.username ? decodeURIComponent(url.username) : undefined;
  const password = url.password ? decodeURIComponent(url.password) : undefined;
  const shown = new URL(url.href);
  if (shown.password) shown.password = '***';
  return {
    host,
    port,
    db: dbText === '' ? 0 : Number(dbText),
    ...(username !== undefined && { username }),
    ...(password !== undefined && { password }),
    tls: url.protocol === 'rediss:',
    display: shown.href.replace(/\/$/, ''),
  };
}
