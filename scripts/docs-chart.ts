/**
 * Draws docs/alert-chart.png, the chart the README shows in an alert thread, with the code that draws
 * it in chat: the alert's chart request, filled from a KPI history, rendered by adapters/chart. The
 * history is made up here (eth-2 falls behind for a few minutes while eth-1 and eth-3 keep up), so the
 * picture is the same on every run. `npm run docs:chart`; prints the console rendering of the thread.
 */
import { writeFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { chartPng } from '../adapters/chart/chart-png.ts';
import { ConsoleChat } from '../adapters/console/console-chat.ts';
import type { Alert } from '../src/alerts/alert.types.ts';
import { alertChartMessage } from '../src/charts/alert-chart.ts';
import { resolveCharts } from '../src/charts/chart-resolve.ts';
import type { KpiPoint } from '../src/charts/kpi.types.ts';
import { parseFleet } from '../src/fleet/fleet.load.ts';
import { demoFleet } from '../src/main/demo.ts';

const STEP = 30_000;
const T0 = Date.UTC(2026, 11, 6, 14, 0, 0);
const N = 90; // 45 minutes of sweeps
const behind = (i: number) => (i < 52 ? 0 : i < 70 ? Math.min(14, Math.round((i - 52) * 0.9)) : i < 76 ? Math.max(0, 14 - (i - 70) * 3) : 0);
const history = new Map<string, KpiPoint[]>(
  ['eth-1', 'eth-2', 'eth-3'].map((node, n) => [node, Array.from({ length: N }, (_, i) => ({
    at: T0 + i * STEP + 300 + n * 40, reachable: true, head: 1_000 + i * 2 - (node === 'eth-2' ? behind(i) : n === 2 && i % 9 === 0 ? 1 : 0), peers: 5, latencyMs: 15,
  }))]),
);

const parsed = parseFleet(await demoFleet({}));
if (!parsed.ok) throw new Error('the demo fleet does not parse');
const since = T0 + 58 * STEP;
const alert: Alert = {
  id: 'al-7q2m4x9k', key: 'lag@eth-2', rule: 'lag', expr: 'lag > 5 for 2m', severity: 'warning', state: 'firing', summary: 'lag 7 blocks > 5 blocks',
  count: 5, since, lastSeen: since + 4 * STEP, firedAt: since + 4 * STEP, scope: 'node', node: 'eth-2', group: 'eth-devnet', env: 'prod',
  chain: 'ethereum', network: 'devnet', posted: true, targets: [{ platform: 'console', channelId: 'console' }], reminders: 0, rev: 3,
};
const message = alertChartMessage(alert)!;
// Delivered as it fires: the chart ends then.
const now = (alert.firedAt ?? since) + 20_000;
const resolved = await resolveCharts(message, { history: { kpiHistory: async (node, from, to) => (history.get(node) ?? []).filter((p) => p.at >= from && p.at <= to) }, fleet: parsed.fleet, now });
const chart = resolved.attachments![0]!.chart!;
writeFileSync(new URL('../docs/alert-chart.png', import.meta.url), chartPng(chart));
const out = new PassThrough();
let text = '';
out.on('data', (d: Buffer) => (text += d.toString()));
const chat = new ConsoleChat(out, { width: 110, chartDir: '/tmp/chainops-charts' });
await chat.replyInThread({ platform: 'console', channelId: 'console', messageId: '7' }, resolved);
console.log(text);
