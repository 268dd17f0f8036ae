import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { startRedisServer, type RedisServerHandle } from './redis-server.process.ts';
import { waitFor } from './wait-for.ts';

const run = promisify(execFile);

export interface RedisClusterHandle {
  /** `redis+cluster://127.0.0.1:p1,127.0.0.1:p2,…` */
  url: string;
  servers: RedisServerHandle[];
  stop(): Promise<void>;
}

async function clusterOk(port: number): Promise<boolean> {
  const c = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  c.on('error', () => {});
  try {
    await c.connect();
    return /cluster_state:ok/.test(String(await c.call('CLUSTER', 'INFO')));
  } finally {
    c.disconnect();
  }
}

/**
 * A Redis Cluster of `masters` masters (no replicas) on loopback: each a `redis-server
 * --cluster-enabled yes` in its own temp dir, joined with `redis-cli --cluster create`, ready once
 * every node reports `cluster_state:ok`.
 */
export async function startRedisCluster(opts: { masters?: number } = {}): Promise<RedisClusterHandle> {
  const servers: RedisServerHandle[] = [];
  try {
    for (let i = 0; i < (opts.masters ?? 3); i++) {
      servers.push(await startRedisServer({ appendonly: false, extraArgs: ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '5000'] }));
    }
    await run('redis-cli', ['--cluster', 'create', ...servers.map((s) => `127.0.0.1:${s.port}`), '--cluster-replicas', '0', '--cluster-yes'], { timeout: 60_000 });
    for (const s of servers) await waitFor(() => clusterOk(s.port), { what: `cluster_state:ok on port ${s.port}`, timeoutMs: 30_000, intervalMs: 100 });
  } catch (err) {
    await Promise.all(servers.map((s) => s.stop().catch(() => undefined)));
    throw err;
  }
  return {
    url: `redis+cluster://${servers.map((s) => `127.0.0.1:${s.port}`).join(',')}`,
    servers,
    stop: async () => void (await Promise.all(servers.map((s) => s.stop()))),
  };
}
