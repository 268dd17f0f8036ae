import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { RedisTarget } from './redis-url.ts';

/**
 * TLS settings for `rediss…` URLs: the system CAs, or the private CA in `REDIS_TLS_CA_FILE` (a managed
 * Redis with its own CA). A CA file that cannot be read stops the process with the path and the fix.
 */
export function tlsOptions(target: RedisTarget, env: NodeJS.ProcessEnv): ConnectionOptions | undefined {
  if (!target.tls) return undefined;
  const caFile = env['REDIS_TLS_CA_FILE'];
  if (!caFile) return {};
  try {
    return { ca: readFileSync(caFile) };
  } catch (err) {
    throw new Error(`REDIS_TLS_CA_FILE ${caFile} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}) — point it at the PEM file of your Redis provider's CA`);
  }
}

/** How long a sentinel may take to say where the primary is. Generous: a loaded sentinel is slow, not gone. */
const SENTINEL_COMMAND_TIMEOUT_MS = 10_000;

/**
 * One ioredis client for a parsed REDIS_URL with the given per-use options:
 * - single: a plain `Redis`;
 * - sentinel: a `Redis` that asks the sentinels for the primary on every (re)connect and drops its
 *   connection as soon as a sentinel announces `+switch-master` (`failoverDetector`), so it follows a
 *   promotion without waiting for the old primary's socket to time out;
 * - cluster: an ioredis `Cluster` (typed as `Redis`: it answers the same commands and BullMQ accepts it).
 */
export function connectTarget(target: RedisTarget, opts: RedisOptions, env: NodeJS.ProcessEnv): Redis {
  const tls = tlsOptions(target, env);
  const auth = { ...(target.username ? { username: target.username } : {}), ...(target.password ? { password: target.password } : {}) };
  switch (target.mode) {
    case 'single':
      return new Redis({ ...opts, ...auth, host: target.host, port: target.port, db: target.db, ...(tls ? { tls } : {}) });
    case 'sentinel': {
      const sentinelPassword = env['REDIS_SENTINEL_PASSWORD'];
      return new Redis({
        ...opts,
        ...auth,
        sentinels: target.sentinels,
        name: target.name,
        db: target.db,
        role: 'master',
        failoverDetector: true,
        // Sentinels answer fast or not at all; the next one is tried.
        sentinelRetryStrategy: (times: number) => Math.min(times * 100, 1_000),
        // A sentinel that accepts the connection but never answers (paused, a starved host) would
        // hold a reconnect forever without it; then the next sentinel is asked.
        sentinelCommandTimeout: SENTINEL_COMMAND_TIMEOUT_MS,
        ...(sentinelPassword ? { sentinelPassword } : {}),
        ...(tls ? { tls, enableTLSForSentinelMode: true, sentinelTLS: tls } : {}),
      });
    }
    case 'cluster': {
      const { enableOfflineQueue, retryStrategy, ...redisOptions } = opts;
      const cluster = new Cluster(target.nodes, {
        redisOptions: { ...redisOptions, ...auth, ...(tls ? { tls } : {}) },
        // Always the masters: replicas may lag and a change system must read its own writes.
        scaleReads: 'master',
        ...(enableOfflineQueue === undefined ? {} : { enableOfflineQueue }),
        clusterRetryStrategy: (times: number) => (retryStrategy ? (retryStrategy(times) ?? 2_000) : Math.min(times * 100, 2_000)),
        // TLS certificates name the configured hosts, not the IPs the cluster announces.
        ...(tls ? { dnsLookup: (address: string, callback: (err: null, address: string) => void) => callback(null, address) } : {}),
      });
      return cluster as unknown as Redis;
    }
  }
}
