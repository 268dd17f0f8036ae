/** One `host:port` of a Sentinel or Cluster seed list. */
export interface HostPort {
  host: string;
  port: number;
}

/** Where Redis is, read from `REDIS_URL` (see {@link parseRedisUrl}). Holds secrets: never log it, log {@link describeRedisTarget}. */
export type RedisTarget =
  | { mode: 'single'; host: string; port: number; db: number; username?: string; password?: string; tls: boolean }
  | { mode: 'sentinel'; sentinels: HostPort[]; name: string; db: number; username?: string; password?: string; tls: boolean }
  | { mode: 'cluster'; nodes: HostPort[]; username?: string; password?: string; tls: boolean };

/** The forms `REDIS_URL` accepts, shown whenever one is refused. */
export const REDIS_URL_FORMS = [
  'redis://[user:password@]host:port[/db]                  a single Redis',
  'rediss://[user:password@]host:port[/db]                 the same over TLS (REDIS_TLS_CA_FILE for a private CA)',
  'redis+sentinel://[user:password@]h1:p1,h2:p2,h3:p3/<master-name>[/db]   Sentinel (REDIS_SENTINEL_PASSWORD if the sentinels need one)',
  'redis+cluster://[user:password@]h1:p1,h2:p2,h3:p3       Redis Cluster seed nodes',
  '(rediss+sentinel:// and rediss+cluster:// are the TLS forms of the last two)',
];

/** A `REDIS_URL` that is none of the accepted forms; the message lists them and never repeats the password. */
export class RedisUrlError extends Error {
  constructor(problem: string) {
    super(`REDIS_URL ${problem} — use one of:\n${REDIS_URL_FORMS.map((f) => `  ${f}`).join('\n')}`);
    this.name = 'RedisUrlError';
  }
}

const SCHEME = /^(rediss?)(\+sentinel|\+cluster)?:\/\/(.*)$/s;
const HOST_PORT = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/;
const MASTER_NAME = /^[A-Za-z0-9._-]{1,64}$/;

function hostPort(text: string, defaultPort: number): HostPort {
  const m = HOST_PORT.exec(text);
  if (!m) throw new RedisUrlError(`has a host "${text.slice(0, 60)}" that is not host:port`);
  const port = m[2] === undefined ? defaultPort : Number(m[2]);
  if (port < 1 || port > 65_535) throw new RedisUrlError(`has port ${port}, outside 1–65535`);
  return { host: (m[1] as string).replace(/^\[|\]$/g, ''), port };
}

function database(text: string | undefined): number {
  if (text === undefined || text === '') return 0;
  if (!/^\d{1,2}$/.test(text)) throw new RedisUrlError(`has database "${text.slice(0, 20)}"; use a number 0–15`);
  return Number(text);
}

/** `user:password@` → its parts, URL-decoded; a bad escape is refused without echoing the text. */
function credentials(userinfo: string | undefined): { username?: string; password?: string } {
  if (!userinfo) return {};
  const at = userinfo.indexOf(':');
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      throw new RedisUrlError('has a user or password with a bad %-escape');
    }
  };
  const user = decode(at < 0 ? userinfo : userinfo.slice(0, at));
  const password = at < 0 ? undefined : decode(userinfo.slice(at + 1));
  return { ...(user ? { username: user } : {}), ...(password ? { password } : {}) };
}

/**
 * Parse a `REDIS_URL` in one of {@link REDIS_URL_FORMS}. Throws {@link RedisUrlError} with a message
 * that lists the accepted forms; the message never contains the password.
 */
export function parseRedisUrl(url: string): RedisTarget {
  const m = SCHEME.exec(url.trim());
  if (!m) throw new RedisUrlError(`does not start with one of redis://, rediss://, redis+sentinel://, redis+cluster://`);
  const tls = m[1] === 'rediss';
  const kind = m[2];
  const rest = m[3] as string;
  const at = rest.lastIndexOf('@');
  const creds = credentials(at < 0 ? undefined : rest.slice(0, at));
  const [hosts = '', ...path] = (at < 0 ? rest : rest.slice(at + 1)).replace(/[?#].*$/s, '').split('/');
  const list = hosts.split(',').filter((h) => h !== '');
  if (list.length === 0) throw new RedisUrlError('names no host');
  if (!kind) {
    if (list.length > 1) throw new RedisUrlError('lists several hosts; use redis+sentinel:// or redis+cluster:// for those');
    if (path.length > 1) throw new RedisUrlError('has a path with more than a database number');
    return { mode: 'single', ...hostPort(list[0] as string, 6379), db: database(path[0]), ...creds, tls };
  }
  if (kind === '+sentinel') {
    const name = path[0];
    if (!name || !MASTER_NAME.test(name)) throw new RedisUrlError('names no master after the sentinels (…/<master-name>, as in the sentinels\' `sentinel monitor <master-name>`)');
    if (path.length > 2) throw new RedisUrlError('has a path with more than /<master-name>/<db>');
    return { mode: 'sentinel', sentinels: list.map((h) => hostPort(h, 26379)), name, db: database(path[1]), ...creds, tls };
  }
  if (path.some((p) => p !== '')) throw new RedisUrlError('has a path; a Cluster has no database numbers, list only seed nodes');
  return { mode: 'cluster', nodes: list.map((h) => hostPort(h, 6379)), ...creds, tls };
}

/** A loggable one-line description: topology and hosts, user name, never the password. */
export function describeRedisTarget(t: RedisTarget): string {
  const who = t.username ? `${t.username}@` : t.password ? '***@' : '';
  const list = (hs: HostPort[]) => hs.map((h) => `${h.host}:${h.port}`).join(',');
  const s = t.tls ? 's' : '';
  switch (t.mode) {
    case 'single':
      return `redis${s}://${who}${t.host}:${t.port}${t.db ? `/${t.db}` : ''}`;
    case 'sentinel':
      return `redis${s}+sentinel://${who}${list(t.sentinels)}/${t.name}${t.db ? `/${t.db}` : ''}`;
    case 'cluster':
      return `redis${s}+cluster://${who}${list(t.nodes)}`;
  }
}
