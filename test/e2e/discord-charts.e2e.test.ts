/**
 * KPI charts on Discord, end to end: the real `chainops bot` and `chainops worker` processes sweep two real
 * ganache nodes every second. `/chainops more chart` (verbs past Discord's 25th subcommand live in the
 * `more` group) answers with sparklines and the PNG attached (multipart/form-data); when a node goes
 * down, its alert's thread gets a message with the chart of the KPI around the alert attached.
 * Discord is the stand-in (gateway + REST).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePort } from '../../adapters/local/free-port.ts';
import { startGanache, type GanacheHandle } from '../../adapters/local/ganache.process.ts';
import { startRedisServer, type RedisServerHandle } from '../../adapters/local/redis-server.process.ts';
import { startBotProcess, type BotProcess } from '../helpers/bot-process.ts';
import { writeE2eFleet } from '../helpers/e2e-fleet.ts';
import { decodePng } from '../helpers/png-decode.ts';
import { chatInputInteraction, startDiscordStandIn, type DiscordStandIn, type RecordedCall } from '../stand-ins/discord.stand-in.ts';

const TOKEN = `e2e.${randomBytes(18).toString('base64url')}`;
const ALERTS = '700000000000000042';
const BOB = { userId: '420000000000000002', roleIds: [] as string[] };

let redis: RedisServerHandle;
let si: DiscordStandIn;
const eth: GanacheHandle[] = [];
let bot: BotProcess;
let worker: BotProcess;
let dir: string;

before(async () => {
  [redis, si] = await Promise.all([startRedisServer({ appendonly: false }), startDiscordStandIn({ token: TOKEN })]);
  const ports = [await freePort(), await freePort()];
  eth.push(...(await Promise.all(ports.map((p) => startGanache({ port: p, blockTimeSec: 1 })))));
  dir = await mkdtemp(join(tmpdir(), 'chainops-e2e-discord-charts-'));
  const fleetPath = await writeE2eFleet(dir, {
    urls: { 'eth-1': `http://127.0.0.1:${ports[0]}`, 'eth-2': `http://127.0.0.1:${ports[1]}` },
    onlyNodes: ['eth-1', 'eth-2'],
    discord: { channel: si.ids.channelId, alertsChannel: ALERTS, operators: [BOB.userId] },
    healthInterval: '1s',
    set: [
      [['health', 'timeout'], '1s'],
      [['environments', 'prod', 'thresholds', 'max_lag_blocks'], 100_000],
      [['alerts', 'reminder'], 0],
    ],
  });
  const env = {
    REDIS_URL: redis.url, CHAINOPS_CONFIG: fleetPath, CHAINOPS_PREFIX: `e2e-discord-charts-${randomBytes(3).toString('hex')}`, LOG_LEVEL: 'info',
    DISCORD_TOKEN: TOKEN, DISCORD_APPLICATION_ID: si.ids.applicationId, DISCORD_GUILD_ID: si.ids.guildId, DISCORD_API_URL: si.apiBase,
  };
  [bot, worker] = await Promise.all([startBotProcess('bot', { ...env, PORT: String(await freePort()) }), startBotProcess('worker', { ...env, PORT: String(await freePort()) })]);
  await si.waitForReady(10_000);
});

after(async () => {
  await worker?.stop().catch(() => undefined);
  await bot?.stop().catch(() => undefined);
  await Promise.all(eth.map((g) => g.stop().catch(() => undefined)));
  await si?.stop().catch(() => undefined);
  await redis?.stop().catch(() => undefined);
  if (dir) await rm(dir, { recursive: true, force: true });
});

const call = (what: string, pred: (c: RecordedCall) => boolean, timeoutMs = 30_000) =>
  si.waitForCall(pred, timeoutMs).catch((err: Error) => {
    throw new Error(`${what}: ${err.message}`);
  });
const textOf = (body: { content?: string; embeds?: Array<{ title?: string; description?: string; fields?: Array<{ value: string }> }> } | undefined) =>
  [body?.content ?? '', ...(body?.embeds ?? []).flatMap((e) => [e.title ?? '', e.description ?? '', ...(e.fields ?? []).map((f) => f.value)])].join('\n');

/** The call carried the chart as `files[0]` with a matching `attachments` entry, and it is a real, drawn PNG. */
function assertChartUpload(c: RecordedCall, name: RegExp): void {
  const part = c.files?.find((f) => f.name === 'files[0]');
  assert.ok(part, `a files[0] part in ${c.method} ${c.route}`);
  assert.match(part.filename ?? '', name);
  assert.equal(part.contentType, 'image/png');
  assert.equal(c.body.attachments?.[0]?.filename, part.filename, 'attachments[0] names the part');
  const img = decodePng(part.data);
  assert.deepEqual([img.width, img.height], [800, 360]);
  let ink = 0;
  for (let i = 0; i < img.rgba.length; i += 4) if (img.rgba[i]! + img.rgba[i + 1]! + img.rgba[i + 2]! < 600) ink++;
  assert.ok(ink > 1_000, `only ${ink} drawn pixels`);
}

describe('Discord: KPI charts through the real bot and worker', () => {
  test('/chainops more chart answers with sparklines and the PNG attached', async () => {
    const options = [{ name: 'target', type: 3, value: 'eth-devnet' }, { name: 'kpi', type: 3, value: 'head' }, { name: 'since', type: 3, value: '1h' }];
    let reply: RecordedCall | undefined;
    for (const deadline = Date.now() + 30_000; ; ) {
      const base = chatInputInteraction(si.ids, 'chart', options, BOB);
      const i = si.sendInteraction({ ...base, data: { ...base.data, options: [{ type: 2, name: 'more', options: base.data.options }] } });
      reply = await call('the chart reply', (c) => c.route.includes(`/webhooks/${si.ids.applicationId}/${i.token}`) && /head of eth-devnet/.test(textOf(c.body)));
      // Until the first sweeps are stored the answer says there is no history yet; ask again.
      if (reply.files?.length || Date.now() > deadline) break;
      await new Promise<void>((r) => setTimeout(r, 1_000));
    }
    assert.match(textOf(reply.body), /eth-1 +[▁▂▃▄▅▆▇█ ]+ +now \d+/, 'a sparkline per node');
    assertChartUpload(reply, /^head-eth-devnet-\d{8}T\d{6}\.png$/);
    const stored = si.messages.get(String((reply.body as { id?: string }).id ?? '')) ?? [...si.messages.values()].find((m) => (m.attachments as unknown[] | undefined)?.length);
    assert.ok((stored?.attachments as Array<{ content_type?: string }> | undefined)?.some((a) => a.content_type === 'image/png'), 'the message lists the PNG attachment');
  });

  test('a node goes down: its alert\'s thread gets the chart attached', async () => {
    await eth[1]!.stop();
    const root = await call('the alert for eth-2', (c) => c.method === 'POST' && c.route === `/api/v10/channels/${ALERTS}/messages` && /unreachable on eth-2/.test(textOf(c.body)));
    assert.equal(root.files, undefined, 'the alert itself is plain JSON');
    const rootId = [...si.messages.values()].find((m) => m.channel_id === ALERTS && /unreachable on eth-2/.test(textOf(m as never)))!.id as string;
    const chart = await call('the chart in the alert thread', (c) => c.method === 'POST' && c.route === `/api/v10/channels/${rootId}/messages` && Boolean(c.files?.length));
    assert.match(JSON.stringify(chart.body), /head around the alert/);
    assert.match(JSON.stringify(chart.body), /eth-2 +[▁▂▃▄▅▆▇█ ]+/, 'the sparkline of the stored history');
    assert.equal(chart.auth, `Bot ${TOKEN}`);
    assertChartUpload(chart, /^head-eth-2-\d{8}T\d{6}\.png$/);
    assert.match(String(chart.body.attachments[0].description), /head of eth-2 — unreachable/);
  });
});
