import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './free-port.ts';
import { startRedisServer, type RedisServerHandle } from './redis-server.process.ts';
import { exitedWith, keepTail, killWithParent, waitFor, waitForExit } from './wait-for.ts';

const REDIS_BIN = '/usr/bin/redis-server';

export interface SentinelSetOptions {
  /** `sentinel monitor <name>`. @defaultValue chainops */
  masterName?: string;
  /** Sentinels. @defaultValue 3 (quorum 2) */
  sentinels?: number;
  /** `down-after-milliseconds`: how long the primary may be silent before the sentinels act. @defaultValue 1 000 */
  downAfterMs?: number;
}

export interface SentinelSet {
  /** `redis+sentinel://127.0.0.1:p1,…/<master>` */
  url: string;
  masterName: string;
  /** [primary, replica] as started; after a failover the replica is the primary. */
  servers: RedisServerHandle[];
  /** The port the sentinels name as primary now (asks a live sentinel). */
  primaryPort(): Promise<number>;
  /** SIGKILL the current primary; resolves with its port once it has exited. */
  killPrimary(): Promise<number>;
  /** Process ids of the sentinels, in the order of `url` (tests pause one with SIGSTOP). */
  sentinelPids: number[];
  /**
   * Start a killed server again on its port (it comes back believing it is a primary, as after a
   * crash) and wait until the sentinels have made it a replica of the current primary, in sync, so
   * the next failover may promote it.
   */
  restartAsReplica(port: number, timeoutMs?: number): Promise<void>;
  /** Wait until the sentinels name a primary other than `oldPort`; resolves with its port. */
  waitForPromotion(oldPort: number, timeoutMs?: number): Promise<number>;
  stop(): Promise<void>;
}

function ask(port: number, ...args: string[]): Promise<unknown> {
  // A command timeout too: a paused sentinel accepts the connection but never answers.
  const c = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1_000, commandTimeout: 1_000 });
  c.on('error', () => {});
  return c
    .connect()
    .then(() => c.call(args[0] as string, ...args.slice(1)))
    .finally(() => c.disconnect());
}

/**
 * A primary, one replica and N sentinels on loopback, each its own process and temp dir, ready once
 * every sentinel knows the replica and the other sentinels (so a failover can happen at once). Short
 * timings for tests: down-after 1 s, failover-timeout 5 s, TILT period 3 s.
 */
export async function startSentinelSet(opts: SentinelSetOptions = {}): Promise<SentinelSet> {
  const name = opts.masterName ?? 'chainops';
  const count = opts.sentinels ?? 3;
  const primary = await startRedisServer({ appendonly: false });
  const replica = await startRedisServer({ appendonly: false, extraArgs: ['--replicaof', '127.0.0.1', String(primary.port)] });
  const dir = await mkdtemp(join(tmpdir(), 'chainops-sentinel-'));
  const children: ChildProcess[] = [];
  const ports: number[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const port = await freePort();
      const conf = join(dir, `sentinel-${port}.conf`);
      // Sentinels rewrite their config file (they record what they learn), so each gets its own.
      writeFileSync(conf, [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor ${name} 127.0.0.1 ${primary.port} ${Math.floor(count / 2) + 1}`,
        `sentinel down-after-milliseconds ${name} ${opts.downAfterMs ?? 1_000}`,
        `sentinel failover-timeout ${name} 5000`,
        `sentinel parallel-syncs ${name} 1`,
        '',
      ].join('\n'));
      const child = spawn(REDIS_BIN, [conf, '--sentinel'], { stdio: ['ignore', 'pipe', 'pipe'] });
      const output = keepTail(child);
      killWithParent(child);
      children.push(child);
      ports.push(port);
      await waitFor(async () => (await ask(port, 'PING')) === 'PONG', { what: `sentinel on port ${port}`, intervalMs: 50, failIf: () => exitedWith(child, output) });
      // A starved test machine pauses processes; the default 30 s TILT would stall any failover.
      await ask(port, 'SENTINEL', 'DEBUG', 'tilt-period', '3000').catch(() => undefined);
    }
    for (const port of ports) {
      await waitFor(async () => {
        const replicas = (await ask(port, 'SENTINEL', 'REPLICAS', name)) as unknown[];
        const others = (await ask(port, 'SENTINEL', 'SENTINELS', name)) as unknown[];
        return replicas.length >= 1 && others.length >= count - 1;
      }, { what: `sentinel ${port} to see the replica and the other sentinels`, timeoutMs: 30_000, intervalMs: 100 });
    }
  } catch (err) {
    for (const c of children) c.kill('SIGKILL');
    await Promise.all([primary.stop(), replica.stop()]);
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }

  const primaryPort = async (): Promise<number> => {
    for (const port of ports) {
      try {
        const addr = (await ask(port, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name)) as [string, string];
        return Number(addr[1]);
      } catch {
        // that sentinel is down: ask the next
      }
    }
    throw new Error('no sentinel answered');
  };
  const servers = [primary, replica];
  return {
    url: `redis+sentinel://${ports.map((p) => `127.0.0.1:${p}`).join(',')}/${name}`,
    masterName: name,
    servers,
    sentinelPids: children.map((c) => c.pid ?? -1),
    primaryPort,
    async killPrimary() {
      const port = await primaryPort();
      const server = servers.find((s) => s.port === port);
      if (!server) throw new Error(`primary on port ${port} is not one of ours`);
      await server.kill();
      return port;
    },
    async restartAsReplica(port, timeoutMs = 60_000) {
      const server = servers.find((s) => s.port === port);
      if (!server) throw new Error(`no server of ours on port ${port}`);
      await server.restart();
      await waitFor(async () => {
        for (const p of ports) {
          const replicas = (await ask(p, 'SENTINEL', 'REPLICAS', name).catch(() => [])) as string[][];
          const me = replicas.map((r) => Object.fromEntries(r.flatMap((v, i, a) => (i % 2 ? [] : [[v, a[i + 1]]])))).find((r) => Number(r['port']) === port);
          if (!me || me['flags'] !== 'slave' || me['master-link-status'] !== 'ok') return undefined;
        }
        return true;
      }, { what: `the sentinels to see port ${port} as an in-sync replica`, timeoutMs, intervalMs: 200 });
    },
    waitForPromotion: (oldPort, timeoutMs = 30_000) =>
      waitFor(async () => {
        const port = await primaryPort();
        return port !== oldPort ? port : undefined;
      }, { what: `the sentinels to promote a replica over port ${oldPort}`, timeoutMs, intervalMs: 50 }),
    async stop() {
      // SIGCONT first: a sentinel a test left paused would not act on SIGTERM.
      for (const c of children) c.kill('SIGCONT'), c.kill('SIGTERM');
      await Promise.all(children.map((c) => waitForExit(c)));
      await Promise.all(servers.map((s) => s.stop().catch(() => undefined)));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
