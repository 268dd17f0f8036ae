import { accessSync, constants, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { startRedisServer } from '../../adapters/local/redis-server.process.ts';

/** How to get redis-server, for the message when it is missing. */
export const INSTALL_REDIS =
  'install it — Debian/Ubuntu: `sudo apt-get install redis-server`, Fedora/RHEL: `sudo dnf install redis`, macOS: `brew install redis` — or set REDIS_URL to a Redis you run';

/** `CHAINOPS_REDIS_SERVER`, else the redis-server binary on PATH (or the usual places); undefined if none runs. */
export function findRedisServer(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const chosen = env['CHAINOPS_REDIS_SERVER'];
  if (chosen) {
    try {
      accessSync(chosen, constants.X_OK);
      return chosen;
    } catch {
      return undefined;
    }
  }
  const dirs = [...(env['PATH'] ?? '').split(delimiter), '/usr/bin', '/usr/sbin', '/usr/local/bin', '/opt/homebrew/bin'].filter(Boolean);
  for (const dir of dirs) {
    const bin = join(dir, 'redis-server');
    try {
      accessSync(bin, constants.X_OK);
      return bin;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

export interface EmbeddedRedis {
  url: string;
  dir: string;
  stop(): Promise<void>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Start ChainOps's own redis-server on a free loopback port with its append-only file in `dir`, so
 * what one person does in a console (approvals, alerts, audit, KPI history) is there next time. It
 * stops with this process. One process per data dir: a second one is refused with how to share.
 */
export async function startEmbeddedRedis(dir: string, env: NodeJS.ProcessEnv = process.env): Promise<EmbeddedRedis> {
  const bin = findRedisServer(env);
  if (!bin) {
    const where = env['CHAINOPS_REDIS_SERVER'] ? `CHAINOPS_REDIS_SERVER (${env['CHAINOPS_REDIS_SERVER']}) is not an executable file` : 'redis-server is not installed';
    throw new Error(`${where}; ChainOps runs its own Redis when REDIS_URL is unset — ${INSTALL_REDIS}`);
  }
  mkdirSync(dir, { recursive: true });
  const lock = join(dir, 'chainops.lock');
  try {
    const held = JSON.parse(readFileSync(lock, 'utf8')) as { pid?: number; url?: string };
    if (held.pid && held.pid !== process.pid && alive(held.pid)) {
      throw new Error(`another ChainOps (pid ${held.pid}) runs Redis in ${dir} — close it, share it with REDIS_URL=${held.url ?? 'its URL'}, or set CHAINOPS_DATA_DIR to another directory`);
    }
  } catch (err) {
    if (!(err instanceof SyntaxError) && (err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const redis = await startRedisServer({ dir, appendonly: true, bin });
  writeFileSync(lock, JSON.stringify({ pid: process.pid, url: redis.url }));
  return {
    url: redis.url,
    dir,
    async stop() {
      await redis.stop();
      rmSync(lock, { force: true });
    },
  };
}
