import { Redis, type RedisOptions } from 'ioredis';
import { connectTarget } from './redis-topology.ts';
import { describeRedisTarget, parseRedisUrl } from './redis-url.ts';
/** The slice of a logger the Redis adapters use: a pino logger fits, and so does a tiny test fake. */
export interface LogSink {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/**
 * What the connection is for:
 * - `worker` / `events`: BullMQ Worker or QueueEvents; blocking commands, so never give up on a command.
 * - `producer`: enqueues in the chat 3-second ack path; fails fast instead of queueing while Redis is down.
 * - `state`: the state store and audit log; rides out a short Redis restart or a failover, then fails.
 */
export type RedisKind = 'worker' | 'producer' | 'events' | 'state';

const CONNECT_TIMEOUT_MS = 5_000;
const ERROR_LOG_INTERVAL_MS = 30_000;

/** Options per kind; exported so tests can check what each kind gets. */
export function redisOptionsFor(kind: RedisKind): RedisOptions {
  // Reconnect forever with a capped backoff: a worker must come back by itself after a Redis restart.
  const retryStrategy = (times: number) => Math.min(times * 100, 2_000);
  switch (kind) {
    case 'worker':
    case 'events':
      // BullMQ refuses (or warns about) blocking connections without maxRetriesPerRequest: null.
      return { maxRetriesPerRequest: null, retryStrategy, connectTimeout: CONNECT_TIMEOUT_MS };
    case 'producer':
      // BullMQ's Queue has no blocking connection, so it accepts a non-null retry limit and no
      // offline queue: while Redis is away, `add` rejects at once and the chat reply says so.
      return {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        commandTimeout: 2_000,
        connectTimeout: 2_000,
        retryStrategy,
      };
    case 'state':
      // Ten tries (about 5.5 s of backoff) ride out a Sentinel promotion (≈ down-after + 1–2 s).
      return { maxRetriesPerRequest: 10, retryStrategy, connectTimeout: CONNECT_TIMEOUT_MS };
  }
}

/** `redis://user:secret@host` → `redis://user:***@host` (every form of REDIS_URL), so URLs can be logged. */
export function redactRedisUrl(url: string): string {
  try {
    return describeRedisTarget(parseRedisUrl(url));
  } catch {
    return '<unparsable redis url>';
  }
}

/**
 * After a Sentinel failover the old primary comes back as a replica: writes to it answer READONLY.
 * Reconnecting (2 = and resend the command) makes ioredis ask the sentinels for the new primary.
 */
export function reconnectOnReadonly(err: Error): 2 | false {
  return /^READONLY\b/.test(err.message) ? 2 : false;
}

/** ioredis' message for a command on (or a connect attempt of) a client that has ended. */
const CONNECTION_CLOSED = 'Connection is closed.';

/**
 * ioredis 6's Sentinel client can end itself for good in a failover. When a sentinel announces
 * `+switch-master` while the client is between a lost connection and the next one (asking a sentinel
 * where the primary is — seconds on a loaded machine), its failover detector stops that connect
 * attempt; ioredis then emits "Connection is closed." and sets status `end`, and every later command
 * fails with that error although nobody closed the client (a worker's sweeps and rollout checkpoints
 * stopped for good). Such a client is connected again here. A client closed on purpose (quit or
 * disconnect) is left alone: ioredis does not emit that error while it is closing on purpose.
 * @returns the number of times it revived the client so far (for tests).
 */
export function reviveAfterAbortedConnect(client: Redis, onRevive: () => void = () => {}): () => number {
  let aborted = false;
  let revived = 0;
  client.on('error', (err: Error) => {
    if (err.message === CONNECTION_CLOSED && client.status === 'connecting') aborted = true;
  });
  client.on('end', () => {
    if (!aborted) return;
    aborted = false;
    setTimeout(() => {
      // ioredis' own flag: set by quit()/disconnect(), e.g. a shutdown that came meanwhile.
      if (client.status !== 'end' || (client as unknown as { manuallyClosing?: boolean }).manuallyClosing) return;
      revived++;
      onRevive();
      client.connect().catch(() => undefined); // failures go to the 'error' handler and the retry strategy
    }, 100);
  });
  return () => revived;
}

/**
 * Create an ioredis client for `kind` (see {@link RedisKind}) from any REDIS_URL form (`redis://`,
 * `rediss://`, `redis+sentinel://…/<master>`, `redis+cluster://…`). Connects at once; connection errors
 * become log lines (at most one per message every 30 s) instead of unhandled 'error' events. A Cluster
 * client is typed as `Redis`: it answers the same commands, and BullMQ takes it as it is.
 */
export function createRedis(url: string, kind: RedisKind, logger?: LogSink, env: NodeJS.ProcessEnv = process.env): Redis {
  const target = parseRedisUrl(url);
  const client = connectTarget(target, { ...redisOptionsFor(kind), connectionName: `chainops-${kind}`, reconnectOnError: reconnectOnReadonly }, env);
  const where = describeRedisTarget(target);
  let lastMessage = '';
  let lastAt = 0;
  client.on('error', (err: Error) => {
    const now = Date.now();
    // ioredis emits the same error on every reconnect attempt; one line per change is enough.
    if (err.message === lastMessage && now - lastAt < ERROR_LOG_INTERVAL_MS) return;
    lastMessage = err.message;
    lastAt = now;
    const line = `redis (${kind}) at ${where}: ${err.message} — retrying; check that Redis is running`;
    if (logger) logger.warn({ kind, err: err.message }, line);
    else console.warn(line);
  });
  if (target.mode === 'sentinel') {
    reviveAfterAbortedConnect(client, () => {
      const line = `redis (${kind}) at ${where}: a failover stopped a reconnect half-way; connecting again`;
      if (logger) logger.warn({ kind }, line);
      else console.warn(line);
    });
  }
  client.on('ready', () => {
    if (lastMessage) {
      lastMessage = '';
      logger?.info({ kind }, `redis (${kind}) at ${where}: connected again`);
    }
  });
  return client;
}

/** Close a client politely (QUIT, up to 2 s), falling back to a hard disconnect when Redis is unreachable. */
export async function closeRedis(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  // While reconnecting, QUIT would wait for a server that may never come back.
  if (client.status !== 'ready') {
    client.disconnect();
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), 2_000)));
  try {
    if ((await Promise.race([client.quit(), late])) === 'late') client.disconnect();
  } catch {
    client.disconnect();
  } finally {
    clearTimeout(timer);
    // QUIT alone leaves a Sentinel client's failover-detector subscriptions to the sentinels alive
    // (reconnecting forever once the sentinels go); disconnect() tears the connector down too.
    client.disconnect();
  }
}
