import type { Env } from './env.ts';
import { dataDir } from './data-dir.ts';
import { startEmbeddedRedis } from './embedded-redis.ts';
import { assertRedisReachable } from './redis-reach.ts';

export interface RoleRedis {
  url: string;
  /** True when this process started its own redis-server (and so should run the worker too). */
  embedded: boolean;
  /** Where the embedded Redis keeps its AOF. */
  dir?: string;
  stop(): Promise<void>;
}

/**
 * The Redis a role runs on. With REDIS_URL: that one, checked first so a wrong URL is one clear line.
 * Without it the single-process modes (`console`, `all`) start their own redis-server with AOF in the
 * data dir; the scale-out modes (`bot`, `worker`) refuse, since their replicas must share one Redis.
 */
export async function redisForRole(role: 'single' | 'scale-out', env: Env, source: NodeJS.ProcessEnv = process.env): Promise<RoleRedis> {
  if (env.REDIS_URL) {
    await assertRedisReachable(env.REDIS_URL);
    return { url: env.REDIS_URL, embedded: false, stop: async () => {} };
  }
  if (role === 'scale-out') {
    throw new Error('REDIS_URL is not set — `bot` and `worker` run as separate processes that share one Redis: point REDIS_URL at it (e.g. redis://127.0.0.1:6379); `chainops console` and `chainops all` run their own');
  }
  const embedded = await startEmbeddedRedis(dataDir(source), source);
  return { url: embedded.url, embedded: true, dir: embedded.dir, stop: () => embedded.stop() };
}
