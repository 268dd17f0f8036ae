import { connect } from 'node:net';

const REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'no such host',
  EAI_AGAIN: 'the host name could not be resolved',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'no answer',
};

/** `host:port` of a `redis://` or `rediss://` URL (never its password); undefined for other forms. */
export function redisAddress(url: string): { host: string; port: number } | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') return undefined;
  return { host: u.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1', port: Number(u.port || 6379) };
}

/**
 * One TCP connect to the Redis of `url` before anything else starts, so a wrong REDIS_URL is one
 * line ("cannot reach Redis at host:6379: connection refused") rather than a stream of retry logs.
 * Resolves when it answers; rejects with that line otherwise. Sentinel and Cluster URLs are left to
 * the connection code (several hosts, each may be down).
 */
export function assertRedisReachable(url: string, timeoutMs = 3_000): Promise<void> {
  const addr = redisAddress(url);
  if (!addr) return Promise.resolve();
  const where = `${addr.host.includes(':') ? `[${addr.host}]` : addr.host}:${addr.port}`;
  return new Promise((resolve, reject) => {
    const sock = connect({ host: addr.host, port: addr.port });
    const fail = (reason: string) => {
      sock.destroy();
      reject(new Error(`cannot reach Redis at ${where}: ${reason} — check REDIS_URL, or leave it unset for \`chainops console\`/\`all\` to run their own redis-server`));
    };
    sock.setTimeout(timeoutMs, () => fail(`no answer within ${timeoutMs / 1000}s`));
    sock.once('error', (err: NodeJS.ErrnoException) => fail(REASONS[err.code ?? ''] ?? err.code ?? err.message));
    sock.once('connect', () => {
      sock.destroy();
      resolve();
    });
  });
}
