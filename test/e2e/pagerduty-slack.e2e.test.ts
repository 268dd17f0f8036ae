/**
 * Paging end to end, with Slack as the chat: the real `chainops bot` and `chainops worker` processes, a
 * real ganache node that dies, the Slack Web API stand-in and a PagerDuty stand-in (Events API v2 in,
 * webhook v3 out). The alert triggers an incident with a stable dedup key; Acknowledge in Slack
 * acknowledges it; resolving it in PagerDuty (a signed webhook) resolves the alert and says so in its
 * thread; a forged webhook is refused; no secret reaches Slack or the logs.
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
import { assertNoSecrets, logRecords, pagerDutyStandInRecords, slackStandInRecords } from '../helpers/secret-scan.ts';
import { interactiveBody, postSigned } from '../helpers/slack-sign.ts';
import { startPagerDutyStandIn, type PagerDutyStandIn } from '../stand-ins/pagerduty.stand-in.ts';
import { startSlackStandIn, type SlackStandIn } from '../stand-ins/slack-api.stand-in.ts';
import { blockActions, TEAM } from '../stand-ins/slack-payloads.ts';

const BOT_TOKEN = `xoxb-e2e-${randomBytes(12).toString('hex')}`;
const SIGNING_SECRET = randomBytes(16).toString('hex');
const ROUTING_KEY = randomBytes(16).toString('hex');
const WEBHOOK_SECRET = randomBytes(24).toString('base64');
const ALERTS = 'C0ALERTS';
const BOB = 'U0BOB';

let redis: RedisServerHandle;
let slack: SlackStandIn;
let pd: PagerDutyStandIn;
let eth: GanacheHandle[] = [];
let bot: BotProcess;
let worker: BotProcess;
let dir: string;
let eventsUrl: string;
let webhookUrl: string;

before(async () => {
  [redis, slack, pd] = await Promise.all([startRedisServer({ appendonly: false }), startSlackStandIn({ botToken: BOT_TOKEN }), startPagerDutyStandIn({ routingKeys: [ROUTING_KEY] })]);
  const ports = [await freePort(), await freePort()];
  dir = await mkdtemp(join(tmpdir(), 'chainops-e2e-pagerduty-'));
  const fleetPath = await writeE2eFleet(dir, {
    urls: { 'eth-1': `http://127.0.0.1:${ports[0]}`, 'eth-2': `http://127.0.0.1:${ports[1]}` },
    onlyNodes: ['eth-1', 'eth-2'],
    slack: { channel: 'C0OPS', alertsChannel: ALERTS, approvers: [`${TEAM}/${BOB}`], operators: [] },
    healthInterval: '1s',
    set: [
      [['health', 'timeout'], '1s'],
      [['environments', 'prod', 'thresholds', 'max_lag_blocks'], 100_000],
      [['alerts', 'reminder'], 0],
    ],
    page: { to: 'pagerduty', routing_key_env: 'CHAINOPS_SECRET_PD_PROD', page_at: 'critical' },
  });
  const port = await freePort();
  const hookPort = await freePort();
  const env = {
    REDIS_URL: redis.url, CHAINOPS_CONFIG: fleetPath, CHAINOPS_PREFIX: `e2e-pd-${randomBytes(3).toString('hex')}`, LOG_LEVEL: 'debug',
    SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: slack.url,
    PAGERDUTY_EVENTS_URL: pd.url, PAGERDUTY_WEBHOOK_SECRET: WEBHOOK_SECRET, PAGERDUTY_WEBHOOK_PORT: String(hookPort), CHAINOPS_SECRET_PD_PROD: ROUTING_KEY,
  };
  const started = await Promise.allSettled([
    startBotProcess('bot', { ...env, PORT: String(port) }),
    ...ports.map((p) => startGanache({ port: p, blockTimeSec: 1 })),
  ]);
  for (const r of started.slice(1)) if (r.status === 'fulfilled') eth.push(r.value as GanacheHandle);
  if (started[0]!.status === 'fulfilled') bot = started[0]!.value as BotProcess;
  for (const r of started) if (r.status === 'rejected') throw r.reason;
  worker = await startBotProcess('worker', { ...env, PORT: String(await freePort()), METRICS_PORT: '0' });
  eventsUrl = `http://127.0.0.1:${port}/slack/events`;
  webhookUrl = `http://127.0.0.1:${hookPort}/pagerduty/webhook`;
});

after(async () => {
  await worker?.stop().catch(() => undefined);
  await bot?.stop().catch(() => undefined);
  await Promise.all(eth.map((g) => g.stop().catch(() => undefined)));
  await slack?.stop().catch(() => undefined);
  await pd?.stop().catch(() => undefined);
  await redis?.stop().catch(() => undefined);
  if (dir) await rm(dir, { recursive: true, force: true });
});

const until = <T>(what: string, probe: () => T | undefined, timeoutMs = 30_000) => waitFor(async () => probe(), { what, timeoutMs, intervalMs: 50 });
const inThread = (ts: string, re: RegExp) => slack.callsOf('chat.postMessage').find((c) => c.args.thread_ts === ts && re.test(c.args.text ?? ''));

describe('PagerDuty: an alert pages, Slack acknowledges the incident, PagerDuty resolves the alert', () => {
  let alertId = '';
  let ts = '';

  test('node down → one trigger with a stable dedup key; Acknowledge in Slack → acknowledge with the same key', async () => {
    await eth[1]!.stop();
    const trigger = await until('the trigger at PagerDuty', () => pd.accepted('trigger')[0]);
    const dedup = String(trigger.body.dedup_key);
    assert.match(dedup, /^chainops-al-[a-z0-9]{8}$/);
    alertId = dedup.slice('chainops-'.length);
    assert.equal(trigger.body.payload?.severity, 'critical');
    assert.equal(trigger.body.payload?.source, 'eth-2');
    assert.match(String(trigger.body.payload?.summary), new RegExp(`^\\[${alertId}\\] unreachable on eth-2`));
    const root = await until('the alert root in Slack', () => slack.callsOf('chat.postMessage').find((c) => c.status === 200 && !c.args.thread_ts && new RegExp(alertId).test(JSON.stringify(c.args.blocks ?? ''))));
    ts = String(root.response.ts);
    await until('"paged PagerDuty" in the thread', () => inThread(ts, /paged PagerDuty \(dedup key chainops-al-/));

    const click = interactiveBody(blockActions({ actionId: 'ack', value: alertId, user: BOB, channel: ALERTS, messageTs: ts, responseUrl: slack.responseUrl('ack') }));
    assert.equal((await postSigned(eventsUrl, SIGNING_SECRET, click)).status, 200);
    const ack = await until('the acknowledge at PagerDuty', () => pd.accepted('acknowledge')[0]);
    assert.equal(ack.body.dedup_key, dedup, 'the same incident');
    assert.equal(pd.incidents.get(dedup)?.status, 'acknowledged');
    await until('"acknowledged the incident in PagerDuty" in the thread', () => inThread(ts, /acknowledged the incident in PagerDuty/));
    assert.equal(pd.accepted('trigger').length, 1, 'one trigger for the alert, though it was saved on every sweep');
  });

  test('a webhook with a forged signature is refused and changes nothing', async () => {
    const status = await pd.sendWebhook(webhookUrl, WEBHOOK_SECRET, { eventType: 'incident.resolved', dedupKey: `chainops-${alertId}`, forgeWith: 'not-the-secret', agent: 'Mallory' });
    assert.equal(status, 401);
    await bot.waitForLog((l) => /PagerDuty webhook refused/.test(l.msg ?? ''), 'the refusal in the log');
    assert.equal(inThread(ts, /Mallory/), undefined);
  });

  test('resolved in PagerDuty (signed webhook v3) → the alert resolves and its thread says who did it', async () => {
    const status = await pd.sendWebhook(webhookUrl, WEBHOOK_SECRET, { eventType: 'incident.resolved', dedupKey: `chainops-${alertId}`, agent: 'Dana Oncall' });
    assert.equal(status, 200);
    await until('"Resolved in PagerDuty by Dana Oncall" in the thread', () => inThread(ts, /Resolved in PagerDuty by Dana Oncall/));
    await until('the root edited to resolved', () => slack.callsOf('chat.update').find((c) => c.args.ts === ts && /RESOLVED/.test(c.args.text ?? '')));
    assert.equal(pd.accepted('resolve').length, 0, 'a resolve that came from PagerDuty is not sent back to it');
  });

  test('no secret (Slack token and signing secret, routing key, webhook secret) in what Slack received or the processes printed', async () => {
    await Promise.all([bot.stop(), worker.stop()]);
    const records = [...slackStandInRecords(slack), ...logRecords(bot.stdout().split('\n'), 'bot stdout'), ...logRecords(bot.stderr().split('\n'), 'bot stderr'),
      ...logRecords(worker.stdout().split('\n'), 'worker stdout'), ...logRecords(worker.stderr().split('\n'), 'worker stderr')];
    assertNoSecrets({ BOT_TOKEN, SIGNING_SECRET, ROUTING_KEY, WEBHOOK_SECRET }, records, 'Slack stand-in bodies and bot/worker output');
    // PagerDuty itself gets the routing key (that is its job) but never the webhook secret or Slack's.
    assertNoSecrets({ BOT_TOKEN, SIGNING_SECRET, WEBHOOK_SECRET }, pagerDutyStandInRecords(pd), 'PagerDuty stand-in bodies');
  });
});
