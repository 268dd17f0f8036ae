/**
 * The image's HEALTHCHECK (src/main/healthcheck.ts) against the real roles: a worker and a Slack bot
 * started as processes, each probed the way Docker probes it — the role read from a container-style
 * command line, the port from the same environment the role reads. A probe at a role that is not
 * serving, or at the wrong role's port, must fail.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { freePort } from '../../adapters/local/free-port.ts';
import { startRedisServer, type RedisServerHandle } from '../../adapters/local/redis-server.process.ts';
import { healthUrl, roleFromCmdline } from '../../src/main/healthcheck.ts';
import { startBotProcess, type BotProcess } from '../helpers/bot-process.ts';
import { writeE2eFleet } from '../helpers/e2e-fleet.ts';
import { ROOT } from '../helpers/run-cli.ts';
import { startSlackStandIn, type SlackStandIn } from '../stand-ins/slack-api.stand-in.ts';
import { TEAM } from '../stand-ins/slack-payloads.ts';

let redis: RedisServerHandle;
let slack: SlackStandIn;
let dir: string;
const procs: BotProcess[] = [];

/** Run the compiled-form entry (through tsx here) as Docker would: its exit code. */
function runHealthcheck(env: Record<string, string>, role?: string): Promise<number> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', join(ROOT, 'src/main/healthcheck.ts'), ...(role ? [role] : [])], { cwd: ROOT, env: { PATH: process.env['PATH'] ?? '', ...env }, timeout: 30_000 }, (err) =>
      resolve(err ? (typeof err.code === 'number' ? err.code : 1) : 0),
    );
  });
}

before(async () => {
  [redis, slack] = await Promise.all([startRedisServer({ appendonly: false }), startSlackStandIn({ botToken: 'xoxb-hc-test' })]);
  dir = await mkdtemp(join(tmpdir(), 'chainops-healthcheck-'));
});

after(async () => {
  await Promise.all(procs.map((p) => p.stop()));
  await Promise.all([redis?.stop(), slack?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

test('the role comes from the container command line (tini -- node dist/src/main/cli.js <role>)', () => {
  assert.equal(roleFromCmdline(['/usr/bin/tini', '--', 'node', 'dist/src/main/cli.js', 'worker', ''].join('\0')), 'worker');
  assert.equal(roleFromCmdline(['/usr/bin/tini', '--', 'node', 'dist/src/main/cli.js', 'bot'].join('\0')), 'bot');
  assert.equal(roleFromCmdline(['/usr/bin/tini', '--', 'node', 'dist/src/main/cli.js', 'all'].join('\0')), 'all');
  assert.equal(roleFromCmdline(['/usr/bin/tini', '--', 'node', 'dist/src/main/cli.js', 'console'].join('\0')), undefined);
  assert.equal(roleFromCmdline(['redis-server', '--appendonly', 'yes'].join('\0')), undefined);
});

test('a worker answers the probe on METRICS_PORT, not on PORT', async () => {
  const fleet = await writeE2eFleet(dir, {});
  const metricsPort = String(await freePort());
  const port = String(await freePort());
  const env = { REDIS_URL: redis.url, CHAINOPS_CONFIG: fleet, CHAINOPS_PREFIX: 'hc-worker', METRICS_PORT: metricsPort, PORT: port };
  assert.equal(healthUrl('worker', env), `http://127.0.0.1:${metricsPort}/healthz`);
  assert.equal(await runHealthcheck(env, 'worker'), 1, 'nothing serves yet: the probe fails');
  procs.push(await startBotProcess('worker', env));
  assert.equal(await runHealthcheck(env, 'worker'), 0, 'the running worker passes');
  assert.equal(await runHealthcheck(env, 'bot'), 1, 'probing the bot port of a worker container fails');
});

test('a Slack bot answers the probe on PORT', async () => {
  const fleet = await writeE2eFleet(await mkdtemp(join(dir, 'bot-')), { slack: { channel: 'C0HC', approvers: [`${TEAM}/U0A`], operators: [] } });
  const port = String(await freePort());
  const env = { REDIS_URL: redis.url, CHAINOPS_CONFIG: fleet, CHAINOPS_PREFIX: 'hc-bot', PORT: port, METRICS_PORT: String(await freePort()), SLACK_BOT_TOKEN: 'xoxb-hc-test', SLACK_SIGNING_SECRET: 'hc-signing-secret', SLACK_API_URL: slack.url };
  assert.equal(healthUrl('bot', env), `http://127.0.0.1:${port}/healthz`);
  procs.push(await startBotProcess('bot', env));
  assert.equal(await runHealthcheck(env, 'bot'), 0);
  assert.equal(await runHealthcheck(env, 'worker'), 1, 'a bot serves nothing on METRICS_PORT here');
});
