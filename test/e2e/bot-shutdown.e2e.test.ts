/**
 * `chainops bot` stops cleanly on SIGTERM even when Redis has gone away under it: the outbox consumer
 * (blocked on XREADGROUP, its commands queued for a server that is not there) must not hold the exit.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { freePort } from '../../adapters/local/free-port.ts';
import { startRedisServer, type RedisServerHandle } from '../../adapters/local/redis-server.process.ts';
import { startBotProcess, type BotProcess } from '../helpers/bot-process.ts';
import { writeE2eFleet } from '../helpers/e2e-fleet.ts';
import { startSlackStandIn, type SlackStandIn } from '../stand-ins/slack-api.stand-in.ts';

const BOT_TOKEN = `xoxb-e2e-${randomBytes(12).toString('hex')}`;
let redis: RedisServerHandle | undefined;
let slack: SlackStandIn | undefined;
let bot: BotProcess | undefined;
let dir: string | undefined;

after(async () => {
  await bot?.stop().catch(() => undefined);
  await slack?.stop().catch(() => undefined);
  await redis?.stop().catch(() => undefined);
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('SIGTERM while Redis is down: the bot exits with 0 within seconds, logging no unhandled error', async () => {
  [redis, slack] = await Promise.all([startRedisServer({ appendonly: false }), startSlackStandIn({ botToken: BOT_TOKEN })]);
  dir = await mkdtemp(join(tmpdir(), 'chainops-e2e-shutdown-'));
  const fleetPath = await writeE2eFleet(dir, { slack: { channel: 'C0OPS' } });
  bot = await startBotProcess('bot', {
    REDIS_URL: redis.url, CHAINOPS_CONFIG: fleetPath, CHAINOPS_PREFIX: 'e2e-shutdown', LOG_LEVEL: 'debug', PORT: String(await freePort()),
    SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: randomBytes(16).toString('hex'), SLACK_API_URL: slack.url,
  });
  await redis.stop();
  // Let every connection notice and start reconnecting to nothing; the blocking read stays queued.
  await new Promise((r) => setTimeout(r, 2_000));
  const t0 = Date.now();
  await bot.stop();
  const took = Date.now() - t0;
  assert.deepEqual(bot.exit(), { code: 0, signal: null }, `exited by itself after SIGTERM (took ${took} ms):\n${bot.stderr().slice(-2_000)}`);
  assert.doesNotMatch(bot.stderr(), /Unhandled error event/, 'every Redis connection has an error listener');
});
