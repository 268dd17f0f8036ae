/**
 * An alert from the health engine, end to end on Discord: the real `chainops bot` and `chainops worker` processes
 * sweeps two real ganache nodes every second; one is killed, the alert lands in the routed channel with
 * its buttons, Acknowledge works from the button (over the gateway), and once the node is back the
 * resolution lands in the alert's thread. Discord is the stand-in (gateway + REST).
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
import { waitFor } from '../../adapters/local/wait-for.ts';
import { startBotProcess, type BotProcess } from '../helpers/bot-process.ts';
import { writeE2eFleet } from '../helpers/e2e-fleet.ts';
import { assertNoSecrets, discordStandInRecords, logRecords } from '../helpers/secret-scan.ts';
import { componentInteraction, startDiscordStandIn, type DiscordStandIn, type RecordedCall } from '../stand-ins/discord.stand-in.ts';

const TOKEN = `e2e.${randomBytes(18).toString('base64url')}`;
const RPC_PASSWORD = randomBytes(12).toString('hex');
const ALERTS = '700000000000000042';
const BOB = { userId: '420000000000000002', roleIds: [] as string[] };

let redis: RedisServerHandle;
let si: DiscordStandIn;
let eth: GanacheHandle[] = [];
let bot: BotProcess;
let worker: BotProcess;
let dir: string;

before(async () => {
  [redis, si] = await Promise.all([startRedisServer({ appendonly: false }), startDiscordStandIn({ token: TOKEN })]);
  // Two nodes are enough: one stays healthy (the group's reference), the other goes down.
  const ports = [await freePort(), await freePort()];
  dir = await mkdtemp(join(tmpdir(), 'chainops-e2e-discord-alerts-'));
  const fleetPath = await writeE2eFleet(dir, {
    urls: { 'eth-1': `http://127.0.0.1:${ports[0]}`, 'eth-2': `http://127.0.0.1:${ports[1]}` },
    onlyNodes: ['eth-1', 'eth-2'],
    discord: { channel: si.ids.channelId, alertsChannel: ALERTS, operators: [BOB.userId] },
    healthInterval: '1s',
    set: [
      [['health', 'timeout'], '1s'],
      // Independent ganache chains drift a few blocks apart; lag is not what this test is about.
      [['environments', 'prod', 'thresholds', 'max_lag_blocks'], 100_000],
      [['alerts', 'reminder'], 0],
    ],
  });
  const env = {
    REDIS_URL: redis.url, CHAINOPS_CONFIG: fleetPath, CHAINOPS_PREFIX: `e2e-discord-alerts-${randomBytes(3).toString('hex')}`, LOG_LEVEL: 'debug',
    DISCORD_TOKEN: TOKEN, DISCORD_APPLICATION_ID: si.ids.applicationId, DISCORD_GUILD_ID: si.ids.guildId,
    DISCORD_API_URL: si.apiBase, CHAINOPS_SECRET_LTC_RPC_PASSWORD: RPC_PASSWORD,
  };
  // The bot (no sweeps) loads while the nodes start; the worker, which sweeps, only once they answer,
  // so no alert fires for a node that was simply not up yet.
  const started = await Promise.allSettled([
    startBotProcess('bot', { ...env, PORT: String(await freePort()) }),
    ...ports.map((p) => startGanache({ port: p, blockTimeSec: 1 })),
  ]);
  for (const r of started.slice(1)) if (r.status === 'fulfilled') eth.push(r.value as GanacheHandle);
  if (started[0]!.status === 'fulfilled') bot = started[0]!.value as BotProcess;
  for (const r of started) if (r.status === 'rejected') throw r.reason;
  worker = await startBotProcess('worker', { ...env, PORT: String(await freePort()) });
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

const call = (what: string, pred: (c: RecordedCall) => boolean, timeoutMs = 20_000) =>
  si.waitForCall(pred, timeoutMs).catch((err: Error) => {
    throw new Error(`${what}: ${err.message}`);
  });
const textOf = (body: { content?: string; embeds?: Array<{ title?: string; description?: string }> } | undefined) =>
  [body?.content ?? '', ...(body?.embeds ?? []).flatMap((e) => [e.title ?? '', e.description ?? ''])].join('\n');
const buttonsOf = (m: Record<string, unknown> | undefined) =>
  ((m?.components as Array<{ components: Array<{ custom_id: string; label: string }> }> | undefined) ?? []).flatMap((r) => r.components);

describe('Discord: an alert from the health engine, through the real bot and worker', () => {
  test('node down → alert in the routed channel with buttons → Acknowledge from the button → resolved in its thread', async () => {
    const port = eth[1]!.port;
    await eth[1]!.stop();
    const post = await call('the alert for eth-2 in the alerts channel', (c) =>
      c.method === 'POST' && /\/channels\/\d+\/messages$/.test(c.route) && /FIRING · unreachable on eth-2/.test(textOf(c.body)));
    assert.equal(post.route, `/api/v10/channels/${ALERTS}/messages`, 'routed by alerts.routes, not the environment channel');
    assert.equal(post.auth, `Bot ${TOKEN}`);
    const root = si.messages.get([...si.messages.values()].find((m) => m.channel_id === ALERTS && /unreachable on eth-2/.test(textOf(m as never)))!.id as string)!;
    const [ack, silence] = buttonsOf(root);
    assert.match(ack!.custom_id, /^ack:al-[a-z0-9]+$/);
    assert.equal(ack!.label, 'Acknowledge');
    assert.equal(silence!.label, 'Silence 1h');
    const alertId = ack!.custom_id.slice('ack:'.length);
    assert.ok(!si.calls.some((c) => /eth-1\b/.test(textOf(c.body))), 'the healthy node raised nothing');

    // On-call acknowledges from the button.
    const click = si.sendInteraction(componentInteraction(si.ids, ack!.custom_id, root, BOB));
    assert.deepEqual((await call('the click deferral', (c) => c.route === `/api/v10/interactions/${click.id}/${click.token}/callback`)).body, { type: 6 });
    const answer = await call('the ack answer', (c) => c.method === 'POST' && c.route === `/api/v10/webhooks/${si.ids.applicationId}/${click.token}`);
    assert.equal(answer.body.flags, 64);
    assert.match(textOf(answer.body), new RegExp(`Acknowledged ${alertId}`));
    await call('the root edited to acknowledged', (c) =>
      c.method === 'PATCH' && c.route.endsWith(`/messages/${String(root.id)}`) && /ACKNOWLEDGED/.test(textOf(c.body)));
    assert.ok(!buttonsOf(si.messages.get(String(root.id))).some((b) => b.custom_id.startsWith('ack:')), 'Acknowledge is spent');
    const thread = await call('a thread started from the alert', (c) => c.method === 'POST' && c.route === `/api/v10/channels/${ALERTS}/messages/${String(root.id)}/threads`);
    assert.match(String(thread.body.name), /unreachable on eth-2/);
    const threadId = String(root.id); // Discord gives a thread started from a message that message's id
    await call('the ack line in the thread', (c) => c.method === 'POST' && c.route === `/api/v10/channels/${threadId}/messages` && /Acknowledged by discord:420000000000000002/.test(textOf(c.body)));

    // The node comes back: resolved, in the same thread, and the root says so without buttons.
    eth[1] = await startGanache({ port, blockTimeSec: 1 });
    await call('the resolution in the thread', (c) => c.method === 'POST' && c.route === `/api/v10/channels/${threadId}/messages` && /Resolved after/.test(textOf(c.body)), 30_000);
    await waitFor(async () => /RESOLVED/.test(textOf(si.messages.get(String(root.id)) as never)) || undefined, { what: 'the root edited to resolved', timeoutMs: 10_000, intervalMs: 50 });
    assert.deepEqual(buttonsOf(si.messages.get(String(root.id))), [], 'a resolved alert has no buttons');
    assert.equal(si.calls.filter((c) => c.route.endsWith('/threads')).length, 1, 'one thread for the whole alert');
  });

  test('no secret (bot token, RPC password) in anything Discord received or the bot printed', async () => {
    // Stopped first: logs are written asynchronously and flushed on exit, so every line is scanned.
    await Promise.all([bot.stop(), worker.stop()]);
    const records = [...discordStandInRecords(si), ...logRecords(bot.stdout().split('\n'), 'bot stdout'), ...logRecords(bot.stderr().split('\n'), 'bot stderr'),
      ...logRecords(worker.stdout().split('\n'), 'worker stdout'), ...logRecords(worker.stderr().split('\n'), 'worker stderr')];
    assertNoSecrets({ TOKEN, RPC_PASSWORD }, records, 'Discord stand-in bodies and bot output');
  });
});
