/**
 * Connecting to the queue's Redis: the options BullMQ hands to ioredis, and a fail-fast reachability check that
 * turns "nothing listens there" into one clear error instead of endless reconnect attempts.
 */
import type { RedisOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { UnmaskError } from '../util/errors.ts';
import type { QueueAddress } from './queue-url.ts';

/** ioredis options for BullMQ: retry forever with a capped delay, so a Redis restart is waited out. */
export function redisOptionsFor(address: QueueAddress): RedisOptions {
  return {
    host: address.host,
    port: address.port,
    db: address.db,
    ...(address.username !== undefined && { username: address.username }),
    ...(address.password !== undefined && { password: address.password }),
    ...(address.tls && { tls: {} }),
    // BullMQ's blocking commands require this; it also makes calls wait for a reconnect instead of failing.
    maxRetriesPerRequest: null,
    retryStrategy: (attempt: number) => Math.min(250 * attempt, 2000),
  };
}

export interface QueueServerInfo {
  redisVersion: string;
  /** `null` where CONFIG is disabled (some managed Redis services). */
  maxmemoryPolicy: string | null;
  /** Whether the server persists data (AOF on, or RDB snapshots configured). `null` if unknown. */
  persistent: boolean | null;
}

export interface QueueCheckOptions {
  timeoutMs?: number;
  /** Where the user set the address, named in the error: the CLI's `--queue` unless told otherwise. */
  setting?: string;
}

/** Connects once, with no retries, and reads what the docs ask of the server; throws `queueUnreachable`. */
export async function checkQueueServer(
  address: QueueAddress,
  { timeoutMs = 5000, setting = '--queue' }: QueueCheckOptions = {},
): Promise<QueueServerInfo> {
  const client = new Redis({
    ...redisOptionsFor(address),
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const info = await client.info('server');
    const redisVersion = /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
    const config = async (name: string): Promise<string | null> => {
      try {
        const reply = (await client.config('GET', name)) as string[];
        return reply[1] ?? null;
      } catch {
        return null;
      }
    };
    const [maxmemoryPolicy, appendonly, save] = await Promise.all([
      config('maxmemory-policy'),
      config('appendonly'),
      config('save'),
    ]);
    const persistent = appendonly === null ? null : appendonly === 'yes' || (save ?? '').trim() !== '';
    return { redisVersion, maxmemoryPolicy, persistent };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new UnmaskError(
      'queueUnreachable',
      `Cannot reach the queue at ${address.display} (${reason}). Start Redis there or check ${setting}; see docs/batch.md.`,
      { cause: error },
    );
  } finally {
    client.disconnect();
  }
}

/** Warnings worth printing about a server's configuration (BullMQ needs `noeviction`). */
export function queueServerWarnings(info: QueueServerInfo): string[] {
  const warnings: string[] = [];
  if (info.maxmemoryPolicy !== null && info.maxmemoryPolicy !== 'noeviction')
    warnings.push(
      `Redis maxmemory-policy is "${info.maxmemoryPolicy}": under memory pressure it may evict queued jobs. ` +
        'Set maxmemory-policy noeviction (docs/batch.md).',
    );
  if (info.persistent === false)
    warnings.push(
      'Redis persistence is off: a Redis restart forgets the queue (the batch re-submits what it lost, ' +
        'but finished results not yet gathered are scanned again). Enable appendonly (docs/batch.md).',
    );
  return warnings;
}
