import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startRedisServer, type RedisServerHandle } from '../../adapters/local/redis-server.process.ts';
import { waitFor } from '../../adapters/local/wait-for.ts';
import { RedisRolloutStore } from '../../adapters/redis/redis-rollout.store.ts';
import { storePrefix } from '../../src/ports/key-layout.ts';
import type { RolloutRecord } from '../../src/rollout/rollout.record.ts';
import { startBotProcess, type BotProcess } from './bot-process.ts';
import { clientVersion, DEMO_PLAYBOOK, startDemoHosts, type DemoHosts } from '../../adapters/local/demo-hosts.ts';
import { consoleAs } from './run-cli.ts';

export const OLD = '7.9.1';
export const NEW = '7.9.2';
/** A release whose binary is really 7.9.1: the canary gate must catch it. */
export const BROKEN = '7.9.3-broken';

/**
 * The rollout e2e harness: demo hosts on sshd, a redis-server, a prod fleet file (approval by another
 * user) whose playbook sits next to it, and one real worker process; registers its own before/after.
 */
export function rolloutE2e(opts: { count: number; maxUnavailable: number; prefix: string; prepare?: (playbook: string, hosts: DemoHosts) => void }) {
  let redis: RedisServerHandle;
  let hosts: DemoHosts;
  let env: Record<string, string>;
  const workers: BotProcess[] = [];
  let conn: Redis;
  let rollouts: RedisRolloutStore;
  let playbookCopy: string;

  before(async () => {
    redis = await startRedisServer({ appendonly: false });
    hosts = await startDemoHosts({ count: opts.count, version: OLD, releases: [OLD, NEW], mislabelled: { [BROKEN]: OLD } });
    const dir = join(hosts.dir, 'fleet');
    mkdirSync(join(dir, 'files'), { recursive: true });
    // The playbook lives next to the fleet file, so a test can edit it between request and approval.
    playbookCopy = join(dir, 'upgrade.yml');
    copyFileSync(DEMO_PLAYBOOK, playbookCopy);
    copyFileSync(join(DEMO_PLAYBOOK, '../files/demo-nodectl.sh'), join(dir, 'files/demo-nodectl.sh'));
    writeFileSync(join(dir, 'chainops.yaml'), `
version: 1
name: rollout-e2e
environments:
  prod:
    thresholds: { max_lag_blocks: 100000000, min_peers: 0 }
    approval: { required: 1, self_approval: false, expires: 30m }
groups:
  demo:
    chain: ethereum
    network: dev
    client: ganache
    desired_version: ${NEW}
    rpc: { kind: eth }
    playbook: upgrade.yml
nodes:
${hosts.nodesYaml('demo', 'prod')}
rollout:
  waves: [1, "50%", "100%"]
  max_unavailable: ${opts.maxUnavailable}
  health_gate: { consecutive: 2, interval: 300ms, timeout: 8s }
health: { interval: 2s, timeout: 2s }
console: { allow_impersonation: true }   # the tests type as carol and bob with --as
chain_truth: { split_skip: [ethereum/dev] }   # each ganache node is its own chain
roles:
  operator: { console: [carol] }
  approver: { console: [bob] }
`);
    env = {
      REDIS_URL: redis.url,
      CHAINOPS_CONFIG: join(dir, 'chainops.yaml'),
      CHAINOPS_PREFIX: `${opts.prefix}-${randomUUID().slice(0, 8)}`,
      CHAINOPS_SSH_KEY_FILE: hosts.keyFile,
      CHAINOPS_LEASE_MS: '3000',
      CHAINOPS_JOB_LOCK_MS: '4000',
      METRICS_PORT: '0',
      LOG_LEVEL: 'warn',
    };
    opts.prepare?.(playbookCopy, hosts);
    conn = new Redis(redis.url);
    rollouts = new RedisRolloutStore(conn, { prefix: storePrefix(env['CHAINOPS_PREFIX']!, 'rollouts') });
    workers.push(await startBotProcess('worker', { ...env, LOG_LEVEL: 'info' }));
  });

  after(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    conn?.disconnect();
    await hosts?.stop();
    await redis?.stop();
  });

  const as = (user: string, line: string) => consoleAs(env, user, line);

  function idIn(text: string, prefix: string): string {
    const m = new RegExp(`\\b${prefix}-[a-z0-9]{4,32}\\b`).exec(text);
    assert.ok(m, `no ${prefix}- id in:\n${text}`);
    return m[0];
  }

  async function until(id: string, done: (r: RolloutRecord) => boolean, what: string, timeoutMs = 400_000): Promise<RolloutRecord> {
    let last: RolloutRecord | undefined;
    try {
      return await waitFor(async () => {
        last = await rollouts.get(id);
        return last && done(last) ? last : undefined;
      }, { what: `${id}: ${what}`, timeoutMs, intervalMs: 200 });
    } catch (err) {
      const log = await rollouts.tailLog(id, 40);
      throw new Error(`${(err as Error).message}\nrecord: ${JSON.stringify(last, null, 1)}\nlog:\n${log.join('\n')}\nworker stderr:\n${workers.map((w) => w.stderr().slice(-2000)).join('\n---\n')}`);
    }
  }

  async function versions(): Promise<string[]> {
    return Promise.all(hosts.hosts.map(async (h) => /Ganache\/v([\d.]+)/.exec((await clientVersion(h.rpcUrl)) ?? '')?.[1] ?? 'down'));
  }

  /** Request as carol, approve as bob; returns the rollout id. */
  async function approvedUpgrade(version: string): Promise<string> {
    const asked = await as('carol', `upgrade demo ${version} --env prod`);
    const approval = idIn(asked, 'ap');
    const approved = await as('bob', `approve ${approval}`);
    return idIn(approved, 'up');
  }

  return {
    get hosts() { return hosts; },
    get redis() { return redis; },
    get rollouts() { return rollouts; },
    get playbookCopy() { return playbookCopy; },
    get env() { return env; },
    workers,
    as, idIn, until, versions, approvedUpgrade,
  };
}
