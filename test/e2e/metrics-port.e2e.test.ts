/**
 * /metrics is never served on the public port Slack and Discord reach: the real bot process answers
 * 404 there, and serves it on BOT_METRICS_PORT behind METRICS_TOKEN when one is set.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { freePort } from '../../adapters/local/free-port.ts';
import { startRedisServer, type RedisServerHandle } from '../../adapters/local/redis-server.process.ts';
import { startBotProcess, type BotProcess } from '../helpers/bot-process.ts';
import { writeE2eFleet } from '../helpers/e2e-fleet.ts';
import { startSlackStandIn, type SlackStandIn } from '../stand-ins/slack-api.stand-in.ts';

const BOT_TOKEN = `xoxb-e2e-${randomBytes(12).toString('hex')}`;
const METRICS_TOKEN = randomBytes(16).toString('hex');
let redis: RedisServerHandle;
let slack: SlackStandIn;
let bot: BotProcess | undefined;
let dir: string;
let publicPort: number;
let metricsPort: number;

before(async () => {
  [redis, slack] = await Promise.all([startRedisServer({ appendonly: false }), startSlackStandIn({ botToken: BOT_TOKEN })]);
  dir = await mkdtemp(join(tmpdir(), 'chainops-e2e-metrics-'));
  const fleetPath = await writeE2eFleet(dir, { slack: { channel: 'C0OPS', operators: ['T0STANDIN/U0CAROL'] } });
  [publicPort, metricsPort] = [await freePort(), await freePort()];
  bot = await startBotProcess('bot', {
    REDIS_URL: redis.url, CHAINOPS_CONFIG: fleetPath, CHAINOPS_PREFIX: `e2e-metrics-${randomBytes(3).toString('hex')}`,
    SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: randomBytes(16).toString('hex'), SLACK_API_URL: slack.url,
    PORT: String(publicPort), BOT_METRICS_PORT: String(metricsPort), METRICS_TOKEN, LOG_LEVEL: 'info',
  });
});

after(async () => {
  await bot?.stop().catch(() => undefined);
  await slack?.stop().catch(() => undefined);
  await redis?.stop().catch(() => undefined);
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('the public chat port has no /metrics; its own port serves it with the bearer token only', async () => {
  const pub = await fetch(`http://127.0.0.1:${publicPort}/metrics`);
  await pub.arrayBuffer();
  assert.equal(pub.status, 404, '/metrics is absent on the public port');
  const healthz = await fetch(`http://127.0.0.1:${publicPort}/healthz`);
  assert.equal(healthz.status, 200, await healthz.text());

  const anonymous = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
  assert.equal(anonymous.status, 401);
  assert.doesNotMatch(await anonymous.text(), /chainops_/);
  const wrong = await fetch(`http://127.0.0.1:${metricsPort}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN.slice(1)}x` } });
  await wrong.arrayBuffer();
  assert.equal(wrong.status, 401);
  const scraped = await fetch(`http://127.0.0.1:${metricsPort}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  assert.equal(scraped.status, 200);
  assert.match(await scraped.text(), /chainops_node_up|chainops_commands_total/);
});
