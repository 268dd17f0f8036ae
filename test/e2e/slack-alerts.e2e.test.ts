/**
 * An alert from the health engine, end to end on Slack: the real `chainops bot` and `chainops worker` processes
 * sweeps two real ganache nodes every second; one is killed, the alert lands in the routed channel
 * with its buttons, Acknowledge works from the button, and once the node is back the resolution lands
 * in the same thread. Slack is the Web API stand-in; requests are signed as Slack signs them.
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
import { QueueProbe, startBotProcess, type BotProcess } from '../helpers/bot-process.ts';
import { writeE2eFleet } from '../helpers/e2e-fleet.ts';
import { assertNoSecrets, logRecords, slackStandInRecords } from '../helpers/secret-scan.ts';
import { interactiveBody, postSigned } from '../helpers/slack-sign.ts';
import { startSlackStandIn, type SlackCall, type SlackStandIn } from '../stand-ins/slack-api.stand-in.ts';
import { blockActions, TEAM } from '../stand-ins/slack-payloads.ts';

const BOT_TOKEN = `xoxb-e2e-${randomBytes(12).toString('hex')}`;
const SIGNING_SECRET = randomBytes(16).toString('hex');
const RPC_PASSWORD = randomBytes(12).toString('hex');
const OPS = 'C0OPS';
const ALERTS = 'C0ALERTS';
const BOB = 'U0BOB';

let redis: RedisServerHandle;
let slack: SlackStandIn;
let eth: GanacheHandle[] = [];
let bot: BotProcess;
let worker: BotProcess;
let dir: string;
let eventsUrl: string;
const prefix = `e2e-slack-alerts-${randomBytes(3).toString('hex')}`;

before(async () => {
  [redis, slack] = await Promise.all([startRedisServer({ appendonly: false }), startSlackStandIn({ botToken: BOT_TOKEN })]);
  // Two nodes are enough: one stays healthy (the group's reference), the other goes down.
  const ports = [await freePort(), await freePort()];
  dir = await mkdtemp(join(tmpdir(), 'chainops-e2e-slack-alerts-'));
  const fleetPath = await writeE2eFleet(dir, {
    urls: { 'eth-1': `http://127.0.0.1:${ports[0]}`, 'eth-2': `http://127.0.0.1:${ports[1]}` },
    onlyNodes: ['eth-1', 'eth-2'],
    slack: { channel: OPS, alertsChannel: ALERTS, approvers: [`${TEAM}/${BOB}`], operators: [`${TEAM}/U0CAROL`] },
    healthInterval: '1s',
    set: [
      [['health', 'timeout'], '1s'],
      // Independent ganache chains drift a few blocks apart; lag is not what this test is about.
      [['environments', 'prod', 'thresholds', 'max_lag_blocks'], 100_000],
      [['alerts', 'reminder'], 0],
    ],
  });
  const port = await freePort();
  const env = {
    REDIS_URL: redis.url, CHAINOPS_CONFIG: fleetPath, CHAINOPS_PREFIX: prefix, LOG_LEVEL: 'debug',
    SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: slack.url, CHAINOPS_SECRET_LTC_RPC_PASSWORD: RPC_PASSWORD,
  };
  // The bot (no sweeps) loads while the nodes start; the worker, which sweeps, only once they answer,
  // so no alert fires for a node that was simply not up yet.
  const started = await Promise.allSettled([
    startBotProcess('bot', { ...env, PORT: String(port) }),
    ...ports.map((p) => startGanache({ port: p, blockTimeSec: 1 })),
  ]);
  for (const r of started.slice(1)) if (r.status === 'fulfilled') eth.push(r.value as GanacheHandle);
  if (started[0]!.status === 'fulfilled') bot = started[0]!.value as BotProcess;
  for (const r of started) if (r.status === 'rejected') throw r.reason;
  worker = await startBotProcess('worker', { ...env, PORT: String(await freePort()) });
  eventsUrl = `http://127.0.0.1:${port}/slack/events`;
});

after(async () => {
  await worker?.stop().catch(() => undefined);
  await bot?.stop().catch(() => undefined);
  await Promise.all(eth.map((g) => g.stop().catch(() => undefined)));
  await slack?.stop().catch(() => undefined);
  await redis?.stop().catch(() => undefined);
  if (dir) await rm(dir, { recursive: true, force: true });
});

const until = <T>(what: string, probe: () => T | undefined, timeoutMs = 20_000) => waitFor(async () => probe(), { what, timeoutMs, intervalMs: 50 });
const buttons = (blocks: unknown[] | undefined) =>
  (blocks ?? []).flatMap((b) => ((b as { type: string }).type === 'actions' ? (b as { elements: Array<{ action_id: string; value?: string; text: { text: string } }> }).elements : []));

describe('Slack: an alert from the health engine, through the real bot and worker', () => {
  test('node down → alert in the routed channel with buttons → Acknowledge from the button → resolved in the same thread', async () => {
    const port = eth[1]!.port;
    await eth[1]!.stop();
    const root = await until('the alert for eth-2 in the alerts channel', () =>
      slack.callsOf('chat.postMessage').find((c: SlackCall) => c.status === 200 && /^:red_circle: FIRING unreachable on eth-2/.test(c.args.text ?? '')));
    assert.equal(root.args.channel, ALERTS, 'routed by alerts.routes, not the environment channel');
    assert.equal(root.args.thread_ts, undefined, 'the alert owns a top-level message');
    const ts = String(root.response.ts);
    const ack = buttons(root.args.blocks).find((b) => b.action_id === 'ack');
    assert.ok(ack?.value?.startsWith('al-'), JSON.stringify(buttons(root.args.blocks)));
    assert.deepEqual(buttons(root.args.blocks).map((b) => b.text.text).slice(0, 2), ['Acknowledge', 'Silence 1h']);
    const alertId = ack!.value!;
    assert.ok(!slack.callsOf('chat.postMessage').some((c) => /eth-1\b/.test(c.args.text ?? '')), 'the healthy node raised nothing');

    // On-call acknowledges from the button.
    const click = interactiveBody(blockActions({ actionId: 'ack', value: alertId, user: BOB, channel: ALERTS, messageTs: ts, responseUrl: slack.responseUrl('ack') }));
    assert.equal((await postSigned(eventsUrl, SIGNING_SECRET, click)).status, 200);
    const answer = await until('the ack answer', () => slack.callsOf('response_url').find((c) => c.args.id === 'ack'));
    assert.equal(answer.args.response_type, 'ephemeral');
    assert.match(answer.args.text, new RegExp(`Acknowledged ${alertId}`));
    const acked = await until('the root edited to acknowledged', () =>
      slack.callsOf('chat.update').find((c) => c.args.ts === ts && /ACKNOWLEDGED/.test(c.args.text ?? '')));
    assert.equal(acked.args.channel, ALERTS);
    assert.ok(!buttons(acked.args.blocks).some((b) => b.action_id === 'ack'), 'Acknowledge is spent');
    const ackLine = await until('the ack line in the thread', () =>
      slack.callsOf('chat.postMessage').find((c) => c.args.thread_ts === ts && /Acknowledged by slack:T0STANDIN\/U0BOB/.test(c.args.text ?? '')));
    assert.equal(ackLine.args.channel, ALERTS);

    // The node comes back: resolved, in the same thread, and the root says so without buttons.
    eth[1] = await startGanache({ port, blockTimeSec: 1 });
    const resolved = await until('the resolution in the thread', () =>
      slack.callsOf('chat.postMessage').find((c) => c.args.thread_ts === ts && /Resolved after/.test(c.args.text ?? '')), 30_000);
    assert.equal(resolved.args.channel, ALERTS);
    const final = await until('the root edited to resolved', () => slack.callsOf('chat.update').find((c) => c.args.ts === ts && /RESOLVED/.test(c.args.text ?? '')));
    assert.deepEqual(buttons(final.args.blocks), [], 'a resolved alert has no buttons');
    const stored = slack.messages.find((m) => m.ts === ts)!;
    assert.match(stored.text ?? '', /RESOLVED/);
    assert.equal(slack.messages.filter((m) => m.channel === ALERTS && !m.thread_ts).length, 1, 'one root message for the whole alert');
  });

  test('Run diagnostics clicked again after the first run finished runs again; clicks within the double-click window do not', async () => {
    const probe = new QueueProbe(redis.url, prefix);
    try {
      const ts = '1700000000.000900';
      const click = (n: number) => interactiveBody(blockActions({ actionId: 'alert-run', value: 'diagnose eth-1', user: 'U0CAROL', channel: OPS, messageTs: ts, responseUrl: slack.responseUrl(`diag-${n}`) }));
      const done = async () => (await probe.jobs('remediate')).length;
      assert.equal((await postSigned(eventsUrl, SIGNING_SECRET, click(0))).status, 200);
      const results = () => slack.callsOf('chat.update').filter((c) => c.status === 200 && /diagnostics of eth-1/.test(c.args.text ?? ''));
      await until('the first diagnostics result', () => (results().length >= 1 ? true : undefined), 30_000);
      assert.equal(await done(), 1);
      // The same person clicks the same button again and again: clicks inside the 5 s double-click
      // window are dropped; the first one after it is a new run (Slack sends a new trigger_id per click).
      let n = 0;
      await waitFor(async () => {
        assert.equal((await postSigned(eventsUrl, SIGNING_SECRET, click(++n))).status, 200);
        return (await done()) === 2 ? true : undefined;
      }, { what: 'a second diagnostics run from a later click', timeoutMs: 60_000, intervalMs: 1_000 });
      const second = await until('the second diagnostics result', () => {
        const edited = new Set(results().map((c) => String(c.args.ts)));
        return edited.size >= 2 ? edited : undefined;
      }, 30_000);
      assert.equal(second.size, 2, 'two results, each in its own job message');
      assert.equal(await done(), 2, 'exactly two runs: the clicks inside the double-click window ran nothing');
    } finally {
      await probe.close();
    }
  });

  test('no secret (bot token, signing secret, RPC password) in anything Slack received or the bot printed', async () => {
    // Stopped first: logs are written asynchronously and flushed on exit, so every line is scanned.
    await Promise.all([bot.stop(), worker.stop()]);
    const records = [...slackStandInRecords(slack), ...logRecords(bot.stdout().split('\n'), 'bot stdout'), ...logRecords(bot.stderr().split('\n'), 'bot stderr'),
      ...logRecords(worker.stdout().split('\n'), 'worker stdout'), ...logRecords(worker.stderr().split('\n'), 'worker stderr')];
    assertNoSecrets({ BOT_TOKEN, SIGNING_SECRET, RPC_PASSWORD }, records, 'Slack stand-in bodies and bot output');
  });
});
