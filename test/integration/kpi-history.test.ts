/**
 * The KPI history charts are drawn from, on a real redis-server: one point per sweep bucket, 24 h kept,
 * and the chart (series and PNG pixels) is exactly the stored history.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { startRedisServer, type RedisServerHandle } from '../../adapters/local/redis-server.process.ts';
import { closeRedis, createRedis } from '../../adapters/redis/redis-connection.ts';
import { RedisStateStore } from '../../adapters/redis/redis-state.store.ts';
import { chartPng } from '../../adapters/chart/chart-png.ts';
import { plotScale, seriesColour } from '../../adapters/chart/chart-svg.ts';
import { buildChart } from '../../src/charts/chart-request.ts';
import { resolveCharts } from '../../src/charts/chart-resolve.ts';
import { parseFleet } from '../../src/fleet/fleet.load.ts';
import { demoFleet } from '../../src/main/demo.ts';
import { colourNear, decodePng } from '../helpers/png-decode.ts';
import { snapshot } from '../helpers/state-store.contract.ts';

let server: RedisServerHandle;
let redis: Redis;
const quiet = { info() {}, warn() {}, error() {} };
const BUCKET = 30_000;
const T0 = Date.UTC(2026, 0, 2, 0, 0, 0);

before(async () => {
  server = await startRedisServer({ appendonly: false });
  redis = createRedis(server.url, 'state', quiet);
});
after(async () => {
  await closeRedis(redis);
  await server.stop();
});

const store = () => new RedisStateStore(redis, { prefix: `test-${randomUUID()}`, kpiBucketMs: BUCKET });

describe('KPI history in Redis', () => {
  it('keeps one point per sweep bucket (the last check in it), oldest first', async () => {
    const s = store();
    await s.putSnapshots([snapshot('a', T0 + 1_000, { head: 10, peers: 3 })]);
    await s.putSnapshots([snapshot('a', T0 + 20_000, { head: 11, peers: 4 })]); // a recheck in the same 30 s bucket
    await s.putSnapshots([snapshot('a', T0 + 31_000, { head: 12, peers: 5, headTime: T0 + 29_000 })]);
    await s.putSnapshots([snapshot('a', T0 + 62_000, { reachable: false, head: undefined, error: 'refused' })]);
    const got = await s.kpiHistory('a', T0, T0 + 3_600_000);
    assert.deepEqual(got, [
      { at: T0 + 20_000, reachable: true, head: 11, peers: 4, latencyMs: 12 },
      { at: T0 + 31_000, reachable: true, head: 12, headTime: T0 + 29_000, peers: 5, latencyMs: 12 },
      { at: T0 + 62_000, reachable: false, latencyMs: 12 },
    ]);
    assert.deepEqual((await s.kpiHistory('a', T0 + 30_000, T0 + 40_000)).map((p) => p.head), [12], 'a window reads only its points');
  });

  it('the key expires a day after the last check', async () => {
    const s = store();
    await s.putSnapshots([snapshot('b', T0)]);
    const keys = await redis.keys('*:kpi:b');
    assert.equal(keys.length, 1);
    const ttl = await redis.pttl(keys[0]!);
    assert.ok(ttl > 86_000_000 && ttl <= 86_400_000 + BUCKET, `ttl ${ttl}`);
  });

  it('keeps 24 h: at a 30 s sweep 2 880 points per node, older ones dropped, read back in one call', async () => {
    const s = store();
    for (let i = 0; i < 2_976; i += 96) {
      await s.putSnapshots(Array.from({ length: 96 }, (_, k) => snapshot('c', T0 + (i + k) * BUCKET + 5, { head: i + k })));
    }
    const got = await s.kpiHistory('c', 0, T0 + 2 * 86_400_000);
    assert.equal(got.length, 2_880);
    assert.deepEqual([got[0]!.head, got.at(-1)!.head], [96, 2_975], 'the oldest 96 (48 min past a day) are gone');
    const bytes = await redis.memory('USAGE', (await redis.keys('*:kpi:c'))[0]!);
    assert.ok(Number(bytes) < 200_000, `${bytes} bytes for a day of one node`);
  });

  it('the chart drawn is the stored history: series equal the points, and each is on the PNG in its line\'s colour', async () => {
    const s = store();
    const heads = [5, 6, 6, 7, 9, 9, 9, 12, 13, 13, 14, 20];
    await s.putSnapshots(heads.map((h, i) => snapshot('d', T0 + i * BUCKET + 100, { head: h })));
    await s.putSnapshots(heads.map((h, i) => snapshot('e', T0 + i * BUCKET + 200, { head: h + 30 - (i % 3) })));
    const chart = await buildChart({ title: 'head', kpi: 'head', nodes: ['d', 'e'], from: T0, to: T0 + 12 * BUCKET }, s, T0 + 12 * BUCKET, BUCKET);
    for (const series of chart.series) {
      const stored = await s.kpiHistory(series.name, T0, T0 + 12 * BUCKET);
      assert.deepEqual(series.points, stored.map((p) => [p.at, p.head]), `${series.name} drawn = stored`);
    }
    const img = decodePng(chartPng(chart));
    const { x, y } = plotScale(chart);
    chart.series.forEach((series, i) => {
      for (const [t, v] of series.points) assert.ok(colourNear(img, x(t), y(v!), seriesColour(i)), `${series.name} ${v} at ${t}`);
    });
  });

  it('an alert chart request is filled from Redis at delivery, with the group as the lag reference', async () => {
    const parsed = parseFleet(await demoFleet({}));
    assert.ok(parsed.ok);
    const fleet = parsed.fleet;
    const s = store();
    const now = T0 + 40 * BUCKET;
    for (let i = 0; i < 40; i++) {
      await s.putSnapshots([
        snapshot('eth-1', T0 + i * BUCKET + 10, { head: 100 + i }),
        snapshot('eth-2', T0 + i * BUCKET + 20, { head: 100 + i }),
        snapshot('eth-3', T0 + i * BUCKET + 30, { head: 100 + Math.min(i, 20) }),
      ]);
    }
    const message = { text: 'chart', blocks: [], attachments: [{ kind: 'chart' as const, filename: 'lag-eth-3.png', alt: 'lag of eth-3', request: { title: 'lag of eth-3', kpi: 'lag' as const, nodes: ['eth-3'], from: T0, threshold: 5, shade: { from: T0 + 25 * BUCKET } } }] };
    const out = await resolveCharts(message, { history: s, fleet, now });
    const chart = out.attachments![0]!.chart!;
    assert.deepEqual(chart.series.map((x) => x.name), ['eth-3']);
    assert.deepEqual(chart.series[0]!.points.map((p) => p[1]), Array.from({ length: 40 }, (_, i) => Math.max(0, i - 20)), 'lag against eth-1/eth-2');
    assert.deepEqual(chart.shade, { from: T0 + 25 * BUCKET, to: now });
    assert.ok(out.blocks.some((b) => b.type === 'code' && /eth-3 +[▁▂▃▄▅▆▇█]+ +now 19/.test(b.text)), 'the sparkline is added to the text');
  });
});
