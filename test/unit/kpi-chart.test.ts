import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chartPng } from '../../adapters/chart/chart-png.ts';
import { chartSvg, plotScale, seriesColour } from '../../adapters/chart/chart-svg.ts';
import { alertChartRequest } from '../../src/charts/alert-chart.ts';
import { buildChart } from '../../src/charts/chart-request.ts';
import { downsample, kpiSeries } from '../../src/charts/kpi-series.ts';
import type { ChartSpec, KpiHistory, KpiPoint } from '../../src/charts/kpi.types.ts';
import { sparkline } from '../../src/charts/sparkline.ts';
import type { Alert } from '../../src/alerts/alert.types.ts';
import { colourNear, decodePng, pixel } from '../helpers/png-decode.ts';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const STEP = 30_000;

function pt(i: number, head: number, extra: Partial<KpiPoint> = {}): KpiPoint {
  return { at: T0 + i * STEP + 400, reachable: true, head, headTime: T0 + i * STEP - 2_000, peers: 5, latencyMs: 20 + i, ...extra };
}

/** A KpiHistory over fixed points (the port's in-memory form). */
function historyOf(points: Record<string, KpiPoint[]>): KpiHistory {
  return { kpiHistory: async (node, from, to) => (points[node] ?? []).filter((p) => p.at >= from && p.at <= to) };
}

test('lag is measured per sweep bucket against the reference head of the nodes given', () => {
  const h = new Map<string, KpiPoint[]>([
    ['a', [pt(0, 100), pt(1, 101), pt(2, 102)]],
    ['b', [pt(0, 100), pt(1, 101), pt(2, 102)]],
    ['c', [pt(0, 100), pt(1, 95), pt(2, 90, { reachable: false })]],
  ]);
  const series = kpiSeries('lag', h, STEP);
  assert.deepEqual(series.find((s) => s.name === 'c')!.points.map((p) => p[1]), [0, 6, null]);
  assert.deepEqual(series.find((s) => s.name === 'a')!.points.map((p) => p[1]), [0, 0, 0]);
  assert.deepEqual(kpiSeries('head_age', new Map([['a', [pt(3, 1)]]]), STEP)[0]!.points[0]![1], 2_400);
});

test('downsampling keeps at most max points and keeps a spike', () => {
  const pts: Array<[number, number | null]> = Array.from({ length: 2_880 }, (_, i) => [T0 + i * STEP, i === 1_234 ? 99 : 1]);
  const out = downsample(pts, 400);
  assert.ok(out.length <= 400, `${out.length} points`);
  assert.ok(out.some((p) => p[1] === 99), 'the spike survives');
  assert.deepEqual(downsample(pts.slice(0, 10), 400), pts.slice(0, 10));
});

test('a sparkline shows the shape and gaps', () => {
  assert.equal(sparkline([0, 1, 2, 3, 4, 5, 6, 7]), '▁▂▃▄▅▆▇█');
  assert.equal(sparkline([1, null, 1]), '▁ ▁');
  assert.equal(sparkline(Array.from({ length: 120 }, (_, i) => i), 60).length, 60);
});

function spec(): ChartSpec {
  return {
    title: 'lag of eth-devnet', kpi: 'lag', unit: 'blocks', from: T0, to: T0 + 20 * STEP,
    series: [
      { name: 'eth-1', points: Array.from({ length: 21 }, (_, i) => [T0 + i * STEP, i < 8 ? 0 : i < 15 ? 12 : 1]) },
      { name: 'eth-2', points: Array.from({ length: 21 }, (_, i) => [T0 + i * STEP, i === 5 ? null : 3]) },
    ],
    threshold: 5,
    shade: { from: T0 + 9 * STEP, to: T0 + 15 * STEP },
  };
}

test('the PNG decodes to the chart size, is not blank, and draws every stored point, the threshold and the shade', () => {
  const s = spec();
  const started = process.hrtime.bigint();
  const png = chartPng(s);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const img = decodePng(png);
  assert.equal(img.width, 800);
  assert.equal(img.height, 360);
  let coloured = 0;
  for (let i = 0; i < img.rgba.length; i += 4) if (img.rgba[i]! < 200 || img.rgba[i + 1]! < 200 || img.rgba[i + 2]! < 200) coloured++;
  assert.ok(coloured > 2_000, `only ${coloured} non-white pixels`);
  const { x, y } = plotScale(s);
  s.series.forEach((series, i) => {
    for (const [t, v] of series.points) {
      if (v === null) continue;
      assert.ok(colourNear(img, x(t), y(v), seriesColour(i)), `${series.name} at ${new Date(t).toISOString()} = ${v} is drawn at (${x(t).toFixed(0)}, ${y(v).toFixed(0)})`);
    }
  });
  // eth-2 is unreachable at point 5: no line there (the pen lifts), only the background or the grid.
  assert.ok(!colourNear(img, x(T0 + 5 * STEP), y(3), seriesColour(1), 1), 'a gap is not drawn');
  assert.ok(colourNear(img, x(T0 + 2 * STEP), y(5), '#d62728', 6, 130), 'the threshold line (dashed) is drawn at 5');
  const [r, g, b] = pixel(img, x(T0 + 12 * STEP) + 3, y(8));
  assert.ok(r > g + 15 && r > b + 15, `the firing span is shaded red (got ${r},${g},${b})`);
  const [r2, g2, b2] = pixel(img, x(T0 + 4 * STEP), y(8));
  assert.deepEqual([r2, g2, b2], [255, 255, 255], 'outside the span it is not');
  assert.ok(ms < 2_000, `rendered in ${ms} ms`);
  assert.match(chartSvg(s), /data-node="eth-1"/);
});

test('the chart drawn is the stored history: buildChart reads the points of the window and nothing else', async () => {
  const stored = { 'eth-1': Array.from({ length: 30 }, (_, i) => pt(i, 100 + i, { peers: i % 7 })) };
  const chart = await buildChart({ title: 'peers', kpi: 'peers', nodes: ['eth-1'], from: T0 + 5 * STEP, to: T0 + 25 * STEP }, historyOf(stored), T0 + 40 * STEP, STEP);
  const want = stored['eth-1'].filter((p) => p.at >= T0 + 5 * STEP && p.at <= T0 + 25 * STEP).map((p) => [p.at, p.peers]);
  assert.deepEqual(chart.series[0]!.points, want);
  assert.equal(chart.unit, 'peers');
});

test('an alert asks for its KPI around the window, its limit as a line and its span shaded', () => {
  const alert = {
    id: 'al-12345678', key: 'lag@eth-1', rule: 'lag', expr: 'lag > 5 for 2m', severity: 'warning', state: 'firing', summary: '', count: 3,
    since: T0, lastSeen: T0 + 120_000, firedAt: T0 + 120_000, scope: 'node', node: 'eth-1', group: 'eth', env: 'prod', chain: 'ethereum', network: 'devnet',
    posted: true, targets: [], reminders: 0, rev: 1,
  } satisfies Alert;
  const req = alertChartRequest(alert)!;
  assert.equal(req.kpi, 'lag');
  assert.equal(req.threshold, 5);
  assert.deepEqual(req.nodes, ['eth-1']);
  assert.equal(req.from, T0 - 30 * 60_000);
  assert.deepEqual(req.shade, { from: T0 });
  assert.equal(alertChartRequest({ ...alert, expr: 'head_age > 3m' })!.threshold, 180_000);
  assert.equal(alertChartRequest({ ...alert, expr: 'version != desired' }), undefined);
  const chain = alertChartRequest({ ...alert, scope: 'chain', expr: 'head_age > 3m' })!;
  assert.deepEqual([chain.nodes, chain.chain], [[], { env: 'prod', chain: 'ethereum', network: 'devnet' }]);
});
