import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import type { Redis } from 'ioredis';
import { startRedisServer, type RedisServerHandle } from '../../adapters/local/redis-server.process.ts';
import { bullJobCounts, type BullJobCounts } from '../../adapters/metrics/bull-job-counts.ts';
import { countingDispatch } from '../../adapters/metrics/command-counter.ts';
import { createMetrics, type ChainopsMetrics } from '../../adapters/metrics/metrics.registry.ts';
import { BullJobQueue } from '../../adapters/queue/bullmq.queue.ts';
import { closeRedis, createRedis } from '../../adapters/redis/redis-connection.ts';
import { RedisStateStore } from '../../adapters/redis/redis-state.store.ts';
import type { Alert } from '../../src/alerts/alert.types.ts';
import type { ChatEvent } from '../../src/chat/chat-event.ts';
import { fleetSchema, type Fleet } from '../../src/fleet/fleet.schema.ts';
import { assessFleet } from '../../src/health/fleet-health.ts';
import type { Snapshot } from '../../src/health/snapshot.ts';
import { createRuntime } from '../../src/main/runtime.ts';
import { startMetricsHttp, withMetricsHttp } from '../../src/main/metrics-http.ts';

const NOW = Date.UTC(2024, 6, 1, 12, 0, 0);
const logger = pino({ level: 'silent' });

const FLEET_INPUT = {
  version: 1,
  name: 'metrics-it',
  environments: { prod: { thresholds: { max_lag_blocks: 5, max_head_age: '60s', min_peers: 2 } } },
  groups: {
    geth: { chain: 'ethereum', network: 'mainnet', client: 'geth', desired_version: '1.14.3', rpc: { kind: 'eth' } },
    btc: { chain: 'bitcoin', network: 'mainnet', client: 'bitcoind', desired_version: '27.0.0', rpc: { kind: 'bitcoin' } },
  },
  nodes: [
    { name: 'eth-1', group: 'geth', env: 'prod', rpc_url: 'http://10.0.0.1:8545' },
    { name: 'eth-2', group: 'geth', env: 'prod', rpc_url: 'http://10.0.0.2:8545' },
    { name: 'eth-3', group: 'geth', env: 'prod', rpc_url: 'http://10.0.0.3:8545' },
    { name: 'eth-4', group: 'geth', env: 'prod', rpc_url: 'http://10.0.0.4:8545' },
    { name: 'btc-1', group: 'btc', env: 'prod', rpc_url: 'http://10.0.1.1:8332' },
  ],
};
const fleet: Fleet = fleetSchema.parse(FLEET_INPUT);

function snap(node: string, group: string, chain: string, fields: Partial<Snapshot>): Snapshot {
  return { node, group, env: 'prod', chain, network: 'mainnet', at: NOW - 2_000, reachable: true, latencyMs: 12.5, warnings: [], ...fields };
}

const SNAPSHOTS: Snapshot[] = [
  snap('eth-1', 'geth', 'ethereum', { head: 1000, headTime: NOW - 12_000, peers: 50, syncing: false, client: 'geth', version: '1.14.3' }),
  snap('eth-2', 'geth', 'ethereum', { head: 990, headTime: NOW - 130_000, peers: 1, syncing: false, client: 'geth', version: '1.13.15' }),
  snap('eth-3', 'geth', 'ethereum', { reachable: false, error: 'connection refused (10.0.0.3:8545)', head: 500 }),
  // eth-4 was never checked.
  snap('btc-1', 'btc', 'bitcoin', { head: 840_000, headTime: NOW - 600_000, peers: 8, syncing: true, syncProgress: 0.97, client: 'satoshi' }),
];

/** `name{a="b"} 1` lines → map of `name{a="b",…}` (labels sorted) → value. */
function parseExposition(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(m, `not an exposition line: ${line}`);
    const labels = [...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(([, k, v]) => `${k}="${v}"`).sort();
    out.set(`${m[1]}{${labels.join(',')}}`, Number(m[3]));
  }
  return out;
}

/** Key of a series with the per-node labels of `node`. */
function nodeSeries(name: string, node: string, extra: Record<string, string> = {}): string {
  const n = fleet.nodes.find((x) => x.name === node)!;
  const labels: Record<string, string> = { node, group: n.group, env: n.env, chain: fleet.groups[n.group]!.chain, ...extra };
  return `${name}{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).sort().join(',')}}`;
}

async function scrape(url: string): Promise<{ status: number; type: string | null; series: Map<string, number>; text: string }> {
  const res = await fetch(`${url}/metrics`);
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type'), series: res.status === 200 ? parseExposition(text) : new Map(), text };
}

/** A firing alert as the alert evaluator stores it. */
function firingAlert(): Alert {
  const at = Date.now();
  return {
    id: 'al-metrics1', key: 'down@eth-3', rule: 'down', expr: 'down for 1m', severity: 'critical', state: 'firing',
    summary: 'connection refused', count: 3, since: at - 60_000, lastSeen: at, firedAt: at, posted: false, targets: [],
    reminders: 0, rev: 0, scope: 'node', node: 'eth-3', group: 'geth', env: 'prod', chain: 'ethereum', network: 'mainnet',
  };
}

function commandEvent(text: string): ChatEvent {
  return { kind: 'command', actor: { platform: 'slack', id: 'T1/U1', roleIds: [] }, conversation: { platform: 'slack', channelId: 'C1' }, text };
}

describe('/metrics over HTTP from a real Redis state store and BullMQ queues', () => {
  let redis: RedisServerHandle;
  let conn: Redis;
  let counts: BullJobCounts;
  let queue: BullJobQueue;
  let metrics: ChainopsMetrics;
  let http: Awaited<ReturnType<typeof startMetricsHttp>>;
  const prefix = `metrics-it-${randomUUID().slice(0, 8)}`;
  let state: RedisStateStore;

  before(async () => {
    redis = await startRedisServer({ appendonly: false });
    conn = createRedis(redis.url, 'state');
    state = new RedisStateStore(conn, { prefix });
    queue = new BullJobQueue({ redisUrl: redis.url, prefix });
    counts = bullJobCounts(conn, prefix);
    metrics = createMetrics({ fleet: () => fleet, snapshots: () => state.getSnapshots(), jobCounts: () => counts.counts(), now: () => NOW });
    http = await startMetricsHttp({ port: 0, metrics, logger });
    await state.putSnapshots(SNAPSHOTS);
  });

  after(async () => {
    await http?.close();
    await counts?.close();
    await queue?.close();
    if (conn) await closeRedis(conn);
    await redis?.stop();
  });

  it('exposes per-node gauges computed from the stored snapshots and the fleet verdict', async () => {
    const { status, type, series } = await scrape(http.url);
    assert.equal(status, 200);
    assert.match(type ?? '', /^text\/plain; version=0\.0\.4/);
    const at = (name: string, node: string, extra?: Record<string, string>) => series.get(nodeSeries(name, node, extra));

    assert.deepEqual(['eth-1', 'eth-2', 'eth-3', 'eth-4', 'btc-1'].map((n) => at('chainops_node_up', n)), [1, 1, 0, undefined, 1]);
    assert.equal(at('chainops_node_head', 'eth-1'), 1000);
    assert.equal(at('chainops_node_head', 'eth-3'), undefined, 'a down node shows no stale head');
    // Lag is the fleet verdict's own number (its reference-head rule is tested with fleet-health).
    const verdict = new Map(assessFleet(fleet, SNAPSHOTS, NOW).nodes.map((n) => [n.node, n]));
    assert.equal(at('chainops_node_lag_blocks', 'eth-1'), 0);
    assert.equal(at('chainops_node_lag_blocks', 'eth-2'), verdict.get('eth-2')?.lag);
    assert.ok((at('chainops_node_lag_blocks', 'eth-2') ?? 0) > 0, 'eth-2 lags');
    assert.equal(at('chainops_node_head_age_seconds', 'eth-1'), 12);
    assert.equal(at('chainops_node_head_age_seconds', 'eth-2'), 130);
    assert.equal(at('chainops_node_head_age_seconds', 'btc-1'), 600);
    assert.equal(at('chainops_node_peers', 'eth-2'), 1);
    assert.equal(at('chainops_node_syncing', 'btc-1'), 1);
    assert.equal(at('chainops_node_syncing', 'eth-1'), 0);
    assert.equal(at('chainops_node_version_info', 'eth-1', { version: '1.14.3', desired: '1.14.3' }), 1);
    assert.equal(at('chainops_node_version_info', 'eth-2', { version: '1.13.15', desired: '1.14.3' }), 1);
    assert.equal(at('chainops_node_version_info', 'btc-1', { version: 'unknown', desired: '27.0.0' }), 1);
    assert.equal(at('chainops_node_version_drift', 'eth-2'), 1);
    assert.equal(at('chainops_node_version_drift', 'eth-1'), 0);
    assert.equal(at('chainops_node_version_drift', 'btc-1'), undefined, 'an unreported version is not drift');
    assert.equal(at('chainops_node_last_check_timestamp_seconds', 'eth-1'), (NOW - 2_000) / 1000);
    assert.equal(at('chainops_node_rpc_latency_seconds', 'eth-1'), 0.0125);

    const statusOf = (node: string) => ['healthy', 'degraded', 'down', 'unknown'].filter((s) => at('chainops_node_status', node, { status: s }) === 1);
    assert.deepEqual(['eth-1', 'eth-2', 'eth-3', 'eth-4', 'btc-1'].map(statusOf), [['healthy'], ['degraded'], ['down'], ['unknown'], ['degraded']]);
    assert.equal(at('chainops_node_status', 'eth-1', { status: 'down' }), 0);
    assert.equal(series.get('chainops_metrics_source_up{source="snapshots"}'), 1);
    assert.equal(series.get('chainops_alerts{severity="critical",state="firing"}'), 0, 'no alert source here: zeros, not gaps');
    assert.ok([...series.keys()].some((k) => k.startsWith('chainops_process_resident_memory_bytes')), 'process metrics are there');
  });

  it('reads the snapshots at scrape time: a new sweep shows up in the next scrape', async () => {
    await state.putSnapshots([snap('eth-3', 'geth', 'ethereum', { at: NOW - 1_000, head: 1001, headTime: NOW - 3_000, peers: 9, syncing: false, version: '1.14.3' })]);
    const { series } = await scrape(http.url);
    assert.equal(series.get(nodeSeries('chainops_node_up', 'eth-3')), 1);
    assert.equal(series.get(nodeSeries('chainops_node_head', 'eth-3')), 1001);
    const verdict = assessFleet(fleet, await state.getSnapshots(), NOW).nodes.find((n) => n.node === 'eth-2');
    assert.equal(series.get(nodeSeries('chainops_node_lag_blocks', 'eth-2')), verdict?.lag);
    assert.equal(series.get(nodeSeries('chainops_node_status', 'eth-3', { status: 'healthy' })), 1);
  });

  it('counts jobs per queue and state from BullMQ', async () => {
    await queue.enqueue('health', `sweep-${randomUUID()}`, { v: 1, kind: 'sweep' });
    await queue.enqueue('health', `sweep-${randomUUID()}`, { v: 1, kind: 'sweep' });
    await queue.enqueue('drift', `drift-${randomUUID()}`, { v: 1 });
    const { series } = await scrape(http.url);
    assert.equal(series.get('chainops_jobs{queue="health",state="waiting"}'), 2);
    assert.equal(series.get('chainops_jobs{queue="drift",state="waiting"}'), 1);
    assert.equal(series.get('chainops_jobs{queue="upgrade",state="waiting"}'), 0);
    assert.equal(series.get('chainops_jobs{queue="health",state="failed"}'), 0);
    assert.equal(series.get('chainops_metrics_source_up{source="jobs"}'), 1);
  });

  it('counts commands by platform, kind and a bounded verb label', async () => {
    const seen: string[] = [];
    const dispatch = countingDispatch(async (e) => void seen.push(e.kind), metrics.countCommand);
    const respond = async () => undefined;
    await dispatch(commandEvent('/chainops status --env prod'), respond);
    await dispatch(commandEvent('status'), respond);
    await dispatch(commandEvent('rm -rf / please'), respond);
    await dispatch({ kind: 'action', actor: { platform: 'discord', id: '12345', roleIds: [] }, conversation: { platform: 'discord', channelId: '1' }, actionId: 'approve', value: 'a1' }, respond);
    assert.equal(seen.length, 4, 'every event still reaches the core');
    const { series } = await scrape(http.url);
    assert.equal(series.get('chainops_commands_total{kind="command",platform="slack",verb="status"}'), 2);
    assert.equal(series.get('chainops_commands_total{kind="command",platform="slack",verb="invalid"}'), 1);
    assert.equal(series.get('chainops_commands_total{kind="action",platform="discord",verb="button"}'), 1);
  });

  it('still answers when a source fails or hangs, and says which one', async () => {
    const broken = createMetrics({
      fleet: () => fleet,
      snapshots: () => Promise.reject(new Error('redis is gone')),
      jobCounts: () => new Promise(() => {}),
      activeAlerts: async () => [
        { state: 'firing', severity: 'critical' },
        { state: 'firing', severity: 'critical' },
        { state: 'acknowledged', severity: 'warning' },
      ],
      sourceTimeoutMs: 100,
      processMetrics: false,
    });
    const server = await startMetricsHttp({ port: 0, metrics: broken, logger });
    try {
      const started = performance.now();
      const { status, series } = await scrape(server.url);
      assert.equal(status, 200);
      assert.ok(performance.now() - started < 2_000, 'a hung source does not hang the scrape');
      assert.equal(series.get('chainops_metrics_source_up{source="snapshots"}'), 0);
      assert.equal(series.get('chainops_metrics_source_up{source="jobs"}'), 0);
      assert.equal(series.get('chainops_metrics_source_up{source="alerts"}'), 1);
      assert.equal(series.get('chainops_alerts{severity="critical",state="firing"}'), 2);
      assert.equal(series.get('chainops_alerts{severity="warning",state="acknowledged"}'), 1);
      assert.equal(series.get('chainops_alerts{severity="info",state="pending"}'), 0);
      assert.ok(![...series.keys()].some((k) => k.startsWith('chainops_node_')), 'no node values without snapshots');
    } finally {
      await server.close();
    }
  });

  it('exposes every metric the shipped Grafana dashboard queries', async () => {
    const dashboard = await readFile(new URL('../../examples/grafana/chainops-fleet.json', import.meta.url), 'utf8');
    const used = new Set(dashboard.match(/chainops_[a-z_]+/g));
    const { text } = await scrape(http.url);
    const exposed = new Set([...text.matchAll(/^# TYPE (chainops_[a-z_]+) /gm)].map((m) => m[1]));
    assert.ok(used.size >= 10, `the dashboard names ${used.size} metrics`);
    assert.deepEqual([...used].filter((name) => !exposed.has(name)), []);
  });

  it('serves /healthz, and 404 for other paths', async () => {
    const ok = await fetch(`${http.url}/healthz`);
    assert.deepEqual([ok.status, await ok.text()], [200, 'ok\n']);
    const missing = await fetch(`${http.url}/slack/events`);
    await missing.arrayBuffer();
    assert.equal(missing.status, 404);
  });

  it('wires the worker: withMetricsHttp serves the runtime state store and closes with the worker host', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'chainops-metrics-'));
    const runtimePrefix = `metrics-rt-${randomUUID().slice(0, 8)}`;
    await writeFile(join(dir, 'chainops.yaml'), JSON.stringify(FLEET_INPUT));
    const rt = await createRuntime({ redisUrl: redis.url, prefix: runtimePrefix, fleetPath: join(dir, 'chainops.yaml'), logger });
    let hostClosed = false;
    try {
      await rt.state.putSnapshots([snap('eth-1', 'geth', 'ethereum', { at: Date.now(), head: 77, headTime: Date.now(), peers: 5, version: '1.14.3' })]);
      assert.equal(await rt.alerts.create(firingAlert()), true);
      const worker = await withMetricsHttp(rt, { close: async () => void (hostClosed = true) }, 0);
      assert.ok(worker.metricsUrl, 'the worker serves metrics');
      const { series } = await scrape(worker.metricsUrl);
      assert.equal(series.get(nodeSeries('chainops_node_head', 'eth-1')), 77);
      assert.equal(series.get(nodeSeries('chainops_node_status', 'eth-2', { status: 'unknown' })), 1);
      assert.equal(series.get('chainops_jobs{queue="health",state="waiting"}'), 0, 'its own prefix: none of the other test jobs');
      assert.equal(series.get('chainops_alerts{severity="critical",state="firing"}'), 1);
      assert.equal(series.get('chainops_metrics_source_up{source="alerts"}'), 1);
      await worker.close();
      assert.equal(hostClosed, true);
      await assert.rejects(fetch(`${worker.metricsUrl}/healthz`), 'the metrics port is closed with the worker');
    } finally {
      await rt.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
