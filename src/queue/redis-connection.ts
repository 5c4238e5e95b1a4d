/**
 * The Redis connection of `vaekit score --queue` and `vaekit worker`: one URL, parsed and checked
 * once, turned into ioredis options that survive a Redis restart (reconnect forever with a capped
 * delay; commands wait for the reconnect instead of failing, as BullMQ's workers require).
 */
import type { RedisOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { VaekitError } from '../errors.js';

/** Reconnect delays: 100 ms, 200 ms, … capped at 2 s, forever (a Redis restart takes seconds). */
export function reconnectDelay(attempt: number): number {
  return Math.min(attempt * 100, 2000);
}

/**
 * ioredis options for `url` (`redis://[user:password@]host[:port][/db]`, `rediss://` for TLS).
 *
 * @example
 * ```ts
 * redisOptions('redis://127.0.0.1:6379/2'); // { host: '127.0.0.1', port: 6379, db: 2, maxRetriesPerRequest: null, … }
 * ```
 */
export function redisOptions(url: string): RedisOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new VaekitError('invalid-argument', `--queue must be a Redis URL like redis://host:6379/0; found '${url}'`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new VaekitError('invalid-argument', `--queue must be a redis:// or rediss:// URL; found '${parsed.protocol}' in '${url}'`);
  }
  const path = parsed.pathname.replace(/^\//, '');
  if (path !== '' && !/^\d+$/.test(path)) {
    throw new VaekitError('invalid-argument', `--queue: the path of a Redis URL is the database number (e.g. /0); found '/${path}' in '${url}'`);
  }
  return {
    host: parsed.hostname || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : 6379,
    db: path === '' ? 0 : Number(path),
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    tls: parsed.protocol === 'rediss:' ? {} : undefined,
    // Workers block on Redis: BullMQ needs commands to wait for a reconnect (null = no retry limit).
    maxRetriesPerRequest: null,
    retryStrategy: reconnectDelay,
  };
}

/** `url` without its password, for messages. */
export function redactedUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

/**
 * A client connected to `url`, or `io-error` when Redis does not answer within `timeoutMs` (a
 * wrong address should fail the command, not wait forever; later outages are waited out).
 */
export async function connectRedis(url: string, timeoutMs = 10_000): Promise<Redis> {
  const client = new Redis({ ...redisOptions(url), lazyConnect: true });
  let lastError = '';
  client.on('error', (error: Error) => (lastError = error.message));
  const timer = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new VaekitError('io-error', `cannot reach Redis at ${redactedUrl(url)} within ${timeoutMs / 1000} s${lastError ? `: ${lastError}` : ''}`)), timeoutMs).unref(),
  );
  try {
    await Promise.race([client.connect(), timer]);
    await Promise.race([client.ping(), timer]);
  } catch (error) {
    client.disconnect();
    if (error instanceof VaekitError) throw error;
    throw new VaekitError('io-error', `cannot reach Redis at ${redactedUrl(url)}: ${lastError || (error as Error).message}`, { cause: error });
  }
  return client;
}
