/**
 * `chainops console` on its own: no REDIS_URL, so it starts its own redis-server with its append-only
 * file in the data dir and runs the worker in the same process. Checked as a user would run it: the CLI
 * as its own process against a real ganache node. Also: a wrong REDIS_URL is one human line, `bot` and
 * `worker` still need REDIS_URL, and `chainops` alone prints the help.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePort } from '../../adapters/local/free-port.ts';
import { startGanache, type GanacheHandle } from '../../adapters/local/ganache.process.ts';
import { writeE2eFleet } from '../helpers/e2e-fleet.ts';
import { decodePng } from '../helpers/png-decode.ts';
import { runCli } from '../helpers/run-cli.ts';
import { startBotProcess } from '../helpers/bot-process.ts';
import { formBody, postSigned } from '../helpers/slack-sign.ts';
import { startSlackStandIn } from '../stand-ins/slack-api.stand-in.ts';
import { slashCommandFields, TEAM } from '../stand-ins/slack-payloads.ts';

let eth: GanacheHandle;
let dir: string;
let env: NodeJS.ProcessEnv;

before(async () => {
  eth = await startGanache({ blockTimeSec: 1 });
  dir = await mkdtemp(join(tmpdir(), 'chainops-e2e-standalone-'));
  const fleetPath = await writeE2eFleet(dir, { urls: { 'eth-1': eth.url }, onlyNodes: ['eth-1'], healthInterval: '1s' });
  // REDIS_URL unset on purpose (runCli passes this test process's environment on; each test file is its own process).
  delete process.env['REDIS_URL'];
  env = { CHAINOPS_CONFIG: fleetPath, CHAINOPS_DATA_DIR: join(dir, 'data'), CHAINOPS_PREFIX: `t-${randomUUID().slice(0, 8)}`, LOG_LEVEL: 'warn' };
});

after(async () => {
  await eth?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Files under the data dir (Redis 7 keeps its AOF in appendonlydir/, older ones in appendonly.aof). */
function aofFiles(data: string): string[] {
  const sub = join(data, 'appendonlydir');
  return existsSync(sub) ? readdirSync(sub).map((f) => `appendonlydir/${f}`) : readdirSync(data).filter((f) => f.endsWith('.aof'));
}

describe('chainops console with no REDIS_URL', () => {
  test('starts its own Redis with AOF in the data dir, runs the worker, answers status; the data survives a restart', async () => {
    const r = await runCli(['console', '--as', 'alice', '--exec', '/chainops status'], env, 90_000);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /Fleet status/);
    assert.match(r.stdout, /eth-devnet/);
    const data = String(env['CHAINOPS_DATA_DIR']);
    assert.ok(aofFiles(data).some((f) => /\.aof$/.test(f)), `an AOF in ${data}: ${readdirSync(data).join(', ')}`);
    assert.ok(!existsSync(join(data, 'chainops.lock')), 'the lock is gone once it stopped');
    // A lock taken in one run is in the audit log of the next: same data dir, same Redis data.
    const lock = await runCli(['console', '--as', 'alice', '--exec', '/chainops lock prod eth-devnet --for 1h --reason standalone-test'], env, 90_000);
    assert.equal(lock.code, 0, lock.stdout + lock.stderr);
    const again = await runCli(['console', '--as', 'alice', '--exec', '/chainops audit'], env, 90_000);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.match(again.stdout, /console:alice +command +ok +\/chainops lock prod eth-devnet/);
  });

  test('the worker runs in the same process: sweeps store KPI history and `chart` draws it to a PNG whose path is printed', async () => {
    let out = '';
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
      const r = await runCli(['console', '--as', 'alice', '--exec', '/chainops chart eth-1 head --since 1h'], env, 90_000);
      out = r.stdout + r.stderr;
      if (/📈 \/\S+\.png/.test(out)) break;
    }
    assert.match(out, /eth-1 +[▁▂▃▄▅▆▇█ ]+ +now \d+/, 'the sparkline in the terminal');
    const path = /📈 (\/\S+\.png)/.exec(out)?.[1];
    assert.ok(path?.startsWith(join(String(env['CHAINOPS_DATA_DIR']), 'charts')), `chart written under the data dir: ${out}`);
    const { readFileSync } = await import('node:fs');
    const img = decodePng(readFileSync(path!));
    assert.deepEqual([img.width, img.height], [800, 360]);
  });
});

describe('chainops all with no REDIS_URL', () => {
  test('runs bot and worker on its own Redis in the data dir; Slack gets answers; the lock goes with it', async () => {
    const slack = await startSlackStandIn({ botToken: 'xoxb-standalone' });
    const data = join(dir, 'data-all');
    const port = await freePort();
    await mkdir(join(dir, 'all'));
    const fleetPath = await writeE2eFleet(join(dir, 'all'), { urls: { 'eth-1': eth.url }, onlyNodes: ['eth-1'], healthInterval: '1s', slack: { channel: 'C0OPS', operators: [`${TEAM}/U0CAROL`] } });
    const all = await startBotProcess('all', { CHAINOPS_CONFIG: fleetPath, CHAINOPS_DATA_DIR: data, CHAINOPS_PREFIX: 'standalone', LOG_LEVEL: 'info', PORT: String(port), METRICS_PORT: '0',
      SLACK_BOT_TOKEN: 'xoxb-standalone', SLACK_SIGNING_SECRET: 'standalone-secret', SLACK_API_URL: slack.url }, 60_000);
    try {
      await all.waitForLog((l) => l.msg === 'bot started', 'bot started', 60_000);
      assert.ok(all.logs().some((l) => /running its own redis-server/.test(String(l.msg))), 'it says it runs its own Redis');
      assert.ok(existsSync(join(data, 'chainops.lock')), 'the data dir is taken while it runs');
      const body = formBody(slashCommandFields({ text: 'status', user: 'U0CAROL', channel: 'C0OPS', responseUrl: slack.responseUrl('status') }));
      assert.equal((await postSigned(`http://127.0.0.1:${port}/slack/events`, 'standalone-secret', body)).status, 200);
      const answer = await slack.waitForCall('chat.postMessage', (c) => /Fleet status/.test(c.args.text ?? JSON.stringify(c.args.blocks)), 30_000);
      assert.equal(answer.args.channel, 'C0OPS');
    } finally {
      await all.stop();
      await slack.stop();
    }
    assert.ok(aofFiles(data).some((f) => /\.aof$/.test(f)), 'an AOF in the data dir');
    assert.ok(!existsSync(join(data, 'chainops.lock')), 'the lock is gone once it stopped');
  });
});

describe('REDIS_URL and the scale-out modes', () => {
  test('a wrong REDIS_URL is one human line, not retry logs', async () => {
    const port = await freePort();
    for (const role of ['console', 'worker']) {
      const r = await runCli(role === 'console' ? ['console', '--exec', 'status'] : [role], { ...env, REDIS_URL: `redis://:hunter2@127.0.0.1:${port}`, LOG_LEVEL: 'info' }, 30_000);
      assert.equal(r.code, 1, role);
      assert.equal(r.stdout, '', `${role}: nothing on stdout`);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, `${role}: one line, got:\n${r.stderr}`);
      assert.match(lines[0]!, new RegExp(`^✖ cannot reach Redis at 127\\.0\\.0\\.1:${port}: connection refused`));
      assert.doesNotMatch(r.stderr, /hunter2/, 'the password is not printed');
    }
  });

  test('bot and worker alone still require REDIS_URL', async () => {
    for (const role of ['bot', 'worker']) {
      const r = await runCli([role], env, 30_000);
      assert.equal(r.code, 1, role);
      assert.match(r.stderr, /REDIS_URL is not set — `bot` and `worker` run as separate processes that share one Redis/);
      assert.ok(!existsSync(join(String(env['CHAINOPS_DATA_DIR']), 'chainops.lock')), `${role} started no Redis of its own`);
    }
  });

  test('`chainops` alone prints the help and exits 0', async () => {
    const r = await runCli([], env, 30_000);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Usage: chainops/);
    assert.match(r.stdout, /console/);
  });

  test('without redis-server installed it says how to install it', async () => {
    const r = await runCli(['console', '--exec', 'status'], { ...env, CHAINOPS_REDIS_SERVER: join(dir, 'no-such-redis-server') }, 30_000);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /is not an executable file; ChainOps runs its own Redis when REDIS_URL is unset — install it — Debian\/Ubuntu: `sudo apt-get install redis-server`/);
  });
});
