/**
 * KPI charts on Slack, end to end: the real `chainops bot` and `chainops worker` processes sweep two real
 * ganache nodes every second. `/chainops chart` answers with sparklines and uploads the PNG into the
 * answer's thread through Slack's external upload flow; when a node goes down, its alert's thread gets the
 * chart of the KPI around the alert. Slack is the Web API stand-in; requests are signed as Slack signs them.
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
import { decodePng } from '../helpers/png-decode.ts';
import { formBody, postSigned } from '../helpers/slack-sign.ts';
import { startSlackStandIn, type SlackStandIn, type StoredFile } from '../stand-ins/slack-api.stand-in.ts';
import { slashCommandFields, TEAM } from '../stand-ins/slack-payloads.ts';

const BOT_TOKEN = `xoxb-e2e-${randomBytes(12).toString('hex')}`;
const SIGNING_SECRET = randomBytes(16).toString('hex');
const OPS = 'C0OPS';
const ALERTS = 'C0ALERTS';

let redis: RedisServerHandle;
let slack: SlackStandIn;
const eth: GanacheHandle[] = [];
let bot: BotProcess;
let worker: BotProcess;
let dir: string;
let eventsUrl: string;

before(async () => {
  [redis, slack] = await Promise.all([startRedisServer({ appendonly: false }), startSlackStandIn({ botToken: BOT_TOKEN })]);
  const ports = [await freePort(), await freePort()];
  eth.push(...(await Promise.all(ports.map((p) => startGanache({ port: p, blockTimeSec: 1 })))));
  dir = await mkdtemp(join(tmpdir(), 'chainops-e2e-slack-charts-'));
  const fleetPath = await writeE2eFleet(dir, {
    urls: { 'eth-1': `http://127.0.0.1:${ports[0]}`, 'eth-2': `http://127.0.0.1:${ports[1]}` },
    onlyNodes: ['eth-1', 'eth-2'],
    slack: { channel: OPS, alertsChannel: ALERTS, approvers: [`${TEAM}/U0BOB`], operators: [`${TEAM}/U0CAROL`] },
    healthInterval: '1s',
    set: [
      [['health', 'timeout'], '1s'],
      [['environments', 'prod', 'thresholds', 'max_lag_blocks'], 100_000],
      [['alerts', 'reminder'], 0],
    ],
  });
  const env = {
    REDIS_URL: redis.url, CHAINOPS_CONFIG: fleetPath, CHAINOPS_PREFIX: `e2e-slack-charts-${randomBytes(3).toString('hex')}`, LOG_LEVEL: 'info',
    SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: slack.url,
  };
  const port = await freePort();
  [bot, worker] = await Promise.all([startBotProcess('bot', { ...env, PORT: String(port) }), startBotProcess('worker', { ...env, PORT: String(await freePort()) })]);
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

const until = <T>(what: string, probe: () => T | undefined, timeoutMs = 30_000) => waitFor(async () => probe(), { what, timeoutMs, intervalMs: 50 });

/** The uploaded file is a real PNG of the chart's size with something drawn on it. */
function assertChartPng(f: StoredFile): void {
  assert.ok(f.bytes, `${f.filename} was uploaded`);
  assert.equal(f.bytes.length, f.length, 'the declared length is the uploaded size');
  const img = decodePng(f.bytes);
  assert.deepEqual([img.width, img.height], [800, 360]);
  let ink = 0;
  for (let i = 0; i < img.rgba.length; i += 4) if (img.rgba[i]! + img.rgba[i + 1]! + img.rgba[i + 2]! < 600) ink++;
  assert.ok(ink > 1_000, `only ${ink} drawn pixels`);
  assert.equal(f.uploadHeaders?.authorization, undefined, 'no token goes to the pre-signed upload_url');
}

describe('Slack: KPI charts through the real bot and worker', () => {
  test('/chainops chart answers with sparklines and uploads the PNG into the answer\'s thread', async () => {
    const fields = slashCommandFields({ text: 'chart eth-devnet head --since 1h', user: 'U0CAROL', channel: OPS, responseUrl: slack.responseUrl('chart') });
    let answer;
    for (const deadline = Date.now() + 30_000; ; ) {
      assert.equal((await postSigned(eventsUrl, SIGNING_SECRET, formBody({ ...fields, trigger_id: `${Date.now()}.${randomBytes(3).toString('hex')}` }))).status, 200);
      answer = await until('the chart answer', () => slack.callsOf('chat.postMessage').filter((c) => /head of eth-devnet/.test(c.args.text ?? '')).at(-1));
      // Until the first sweeps are stored the answer says there is no history yet; ask again.
      if (/stored points/.test(JSON.stringify(answer.args.blocks)) || Date.now() > deadline) break;
      await new Promise<void>((r) => setTimeout(r, 1_000));
    }
    assert.equal(answer.args.channel, OPS);
    const text = JSON.stringify(answer.args.blocks);
    assert.match(text, /eth-1 +[▁▂▃▄▅▆▇█ ]+ +now \d+/, 'a sparkline per node');
    assert.match(text, /eth-2 +[▁▂▃▄▅▆▇█ ]+ +now \d+/);
    const ts = String(answer.response.ts);
    const done = await until('files.completeUploadExternal into the answer\'s thread', () => slack.callsOf('files.completeUploadExternal').find((c) => c.args.thread_ts === ts));
    assert.equal(done.args.channel_id, OPS);
    assert.equal(done.response.ok, true);
    const get = slack.callsOf('files.getUploadURLExternal').find((c) => c.response.file_id === done.args.files[0].id)!;
    assert.match(get.args.filename, /^head-eth-devnet-\d{8}T\d{6}\.png$/);
    assert.match(get.args.alt_txt, /head of eth-devnet/);
    assertChartPng(slack.files.find((f) => f.id === done.args.files[0].id)!);
  });

  test('a node goes down: its alert\'s thread gets the chart of the KPI around the alert', async () => {
    await eth[1]!.stop();
    const root = await until('the alert for eth-2', () => slack.callsOf('chat.postMessage').find((c) => c.status === 200 && /FIRING unreachable on eth-2/.test(c.args.text ?? '')));
    const ts = String(root.response.ts);
    const note = await until('the chart note in the alert thread', () => slack.callsOf('chat.postMessage').find((c) => c.args.thread_ts === ts && /head around the alert/.test(c.args.text ?? '')));
    assert.match(JSON.stringify(note.args.blocks), /eth-2 +[▁▂▃▄▅▆▇█ ]+/, 'the sparkline of the stored history');
    const done = await until('the chart uploaded into the alert thread', () => slack.callsOf('files.completeUploadExternal').find((c) => c.args.thread_ts === ts));
    assert.equal(done.args.channel_id, ALERTS);
    const file = slack.files.find((f) => f.id === done.args.files[0].id)!;
    assert.match(file.title ?? '', /head of eth-2 — unreachable/);
    assertChartPng(file);
    assert.ok(!slack.calls.some((c) => c.method.startsWith('files.') && c.response.ok === false), 'no upload call failed');
  });
});
