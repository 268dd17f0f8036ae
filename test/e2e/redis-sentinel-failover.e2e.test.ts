// Redis Sentinel failover under the real processes (issue #14): a primary, a replica and 3 sentinels
// (real redis-server processes); `chainops bot` (Slack HTTP mode, against the Slack stand-in) and
// `chainops worker` as separate processes, both through redis+sentinel://. While status commands
// stream in over signed Slack requests and an approved prod rollout runs Ansible on two sshd hosts,
// the primary is SIGKILLed: the replica is promoted, commands are answered again, the rollout
// finishes with every node's playbook run exactly once (markers on the hosts), and a node killed
// after the failover gets its alert posted to Slack — the sweeps went on.
// Robust under load: generous deadlines (correctness, not speed: speed is bench:failover), sentinels
// with a short TILT period, and a failover that the test sees through before it asserts on clients.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { DEMO_PLAYBOOK, startDemoHosts, type DemoHosts } from '../../adapters/local/demo-hosts.ts';
import { freePort } from '../../adapters/local/free-port.ts';
import { startGanache, type GanacheHandle } from '../../adapters/local/ganache.process.ts';
import { startSentinelSet, type SentinelSet } from '../../adapters/local/redis-sentinel.process.ts';
import { waitFor } from '../../adapters/local/wait-for.ts';
import { closeRedis, createRedis } from '../../adapters/redis/redis-connection.ts';
import { RedisRolloutStore } from '../../adapters/redis/redis-rollout.store.ts';
import { storePrefix } from '../../src/ports/key-layout.ts';
import type { RolloutRecord } from '../../src/rollout/rollout.record.ts';
import { startBotProcess, type BotProcess } from '../helpers/bot-process.ts';
import { markRuns, runsOf } from '../helpers/rollout-markers.ts';
import { formBody, interactiveBody, postSigned } from '../helpers/slack-sign.ts';
import { startSlackStandIn, type SlackStandIn } from '../stand-ins/slack-api.stand-in.ts';
import { blockActions, slashCommandFields, TEAM } from '../stand-ins/slack-payloads.ts';

const OLD = '7.9.1';
const NEW = '7.9.2';
const BOT_TOKEN = `xoxb-e2e-${randomBytes(12).toString('hex')}`;
const SIGNING_SECRET = randomBytes(16).toString('hex');
const CHANNEL = 'C0OPS';
const [ALICE, BOB, CAROL] = ['U0ALICE', 'U0BOB', 'U0CAROL'];

let sentinel: SentinelSet;
let slack: SlackStandIn;
let hosts: DemoHosts;
let spare: GanacheHandle;
let bot: BotProcess;
let worker: BotProcess;
let state: Redis;
let rollouts: RedisRolloutStore;
let eventsUrl: string;

before(async () => {
  // All at once (each takes seconds); whatever started is kept, so `after` stops it when another failed.
  const started = await Promise.allSettled([
    startSentinelSet().then((s) => (sentinel = s)),
    startSlackStandIn({ botToken: BOT_TOKEN }).then((s) => (slack = s)),
    startDemoHosts({ count: 2, version: OLD, releases: [OLD, NEW] }).then((h) => (hosts = h)),
    startGanache({ blockTimeSec: 1 }).then((g) => (spare = g)),
  ]);
  for (const r of started) if (r.status === 'rejected') throw r.reason;
  const dir = join(hosts.dir, 'fleet');
  mkdirSync(join(dir, 'files'), { recursive: true });
  const playbook = join(dir, 'upgrade.yml');
  copyFileSync(DEMO_PLAYBOOK, playbook);
  copyFileSync(join(DEMO_PLAYBOOK, '../files/demo-nodectl.sh'), join(dir, 'files/demo-nodectl.sh'));
  markRuns(playbook, hosts);
  writeFileSync(join(dir, 'chainops.yaml'), `
version: 1
name: sentinel-e2e
environments:
  prod:
    thresholds: { max_lag_blocks: 100000000, min_peers: 0 }
    approval: { required: 1, self_approval: false, expires: 30m }
    channels: { slack: ${CHANNEL} }
groups:
  demo: { chain: ethereum, network: dev, client: ganache, desired_version: ${NEW}, rpc: { kind: eth }, playbook: upgrade.yml }
  spare: { chain: ethereum, network: spare, client: ganache, desired_version: 7.9.2, rpc: { kind: eth } }
nodes:
${hosts.nodesYaml('demo', 'prod')}
  - { name: spare-1, group: spare, env: prod, rpc_url: "${spare.url}" }
rollout:
  waves: [1, "100%"]
  max_unavailable: 1
  health_gate: { consecutive: 2, interval: 300ms, timeout: 20s }
health: { interval: 2s, timeout: 2s }
chain_truth: { split_skip: [ethereum/dev, ethereum/spare] }   # each ganache node is its own chain
alerts: { routes: [{ env: prod, slack: ${CHANNEL} }] }
roles:
  viewer: { slack: ["${TEAM}/${ALICE}"] }
  operator: { slack: ["${TEAM}/${CAROL}"] }
  approver: { slack: ["${TEAM}/${BOB}"] }
`);
  const port = await freePort();
  const env = {
    REDIS_URL: sentinel.url,
    CHAINOPS_CONFIG: join(dir, 'chainops.yaml'),
    CHAINOPS_PREFIX: `sfe-${randomBytes(4).toString('hex')}`,
    LOG_LEVEL: 'info',
    METRICS_PORT: '0',
  };
  const procs = await Promise.allSettled([
    startBotProcess('bot', { ...env, PORT: String(port), SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: slack.url }, 60_000).then((p) => (bot = p)),
    startBotProcess('worker', { ...env, CHAINOPS_SSH_KEY_FILE: hosts.keyFile }, 60_000).then((p) => (worker = p)),
  ]);
  for (const r of procs) if (r.status === 'rejected') throw r.reason;
  eventsUrl = `http://127.0.0.1:${port}/slack/events`;
  state = createRedis(sentinel.url, 'state', { info() {}, warn() {}, error() {} });
  rollouts = new RedisRolloutStore(state, { prefix: storePrefix(env.CHAINOPS_PREFIX, 'rollouts') });
});

after(async () => {
  // Each step on its own: one failure must not leave processes behind.
  await bot?.stop().catch(() => undefined);
  await worker?.stop().catch(() => undefined);
  if (state) await closeRedis(state).catch(() => undefined);
  await spare?.stop().catch(() => undefined);
  await hosts?.stop().catch(() => undefined);
  await slack?.stop().catch(() => undefined);
  await sentinel?.stop().catch(() => undefined);
});

const slash = (user: string, text: string, channel: string, responseId: string) =>
  postSigned(eventsUrl, SIGNING_SECRET, formBody(slashCommandFields({ text, user, channel, responseUrl: slack.responseUrl(responseId) })));

/** What the stand-in got in `channel` (status answers are posted, each command in a channel of its own). */
const postsIn = (channel: string) => slack.callsOf('chat.postMessage').filter((c) => c.status === 200 && c.args.channel === channel);

test('SIGKILL of the Sentinel primary under separate bot and worker processes: commands answered again, the rollout finishes with no node run twice, an alert after the failover reaches Slack', async (t) => {
  // A steady stream of `status`, each in a channel of its own so its answer can be told apart.
  const sent: Array<{ channel: string; at: number }> = [];
  let streaming = true;
  const stream = (async () => {
    for (let i = 0; streaming; i++) {
      const channel = `C0ST${i}`;
      sent.push({ channel, at: Date.now() });
      await slash(ALICE, 'status', channel, `st-${i}`).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  const answered = (since: number) => sent.filter((s) => s.at > since && postsIn(s.channel).some((c) => /Fleet status: \d+\/3 nodes/.test(c.args.text ?? '')));
  const lastAnswers = () => sent.slice(-3).map((s) => `${s.channel}: ${postsIn(s.channel).map((c) => c.args.text).join(' | ') || '(nothing)'}`).join('; ');
  let rec: RolloutRecord | undefined;
  const untilRollout = (done: (r: RolloutRecord) => boolean, what: string, timeoutMs: number) =>
    waitFor(async () => ((rec = await rollouts.get(id).catch(() => rec)) && done(rec) ? rec : undefined), { what: `${id}: ${what}`, timeoutMs, intervalMs: 200 })
      .catch((err: Error) => { throw new Error(`${err.message}\nrecord: ${JSON.stringify(rec)}\nworker stderr:\n${worker.stderr().slice(-3_000)}`); });
  let id = '';
  try {
    await waitFor(async () => answered(0).length >= 2 || undefined, { what: 'status answered before the failover', timeoutMs: 60_000, intervalMs: 100 })
      .catch((err: Error) => { throw new Error(`${err.message}; ${lastAnswers()}`); });

    // An approved prod rollout: carol asks, bob clicks Approve.
    await slash(CAROL, `upgrade demo ${NEW} --env prod`, CHANNEL, 'ask');
    const ask = await waitFor(async () => postsIn(CHANNEL).find((c) => JSON.stringify(c.args.blocks ?? []).includes('"approve"')), { what: 'the approval message', timeoutMs: 30_000, intervalMs: 100 });
    const approval = /ap-[a-z0-9]+/.exec(JSON.stringify(ask.args.blocks))![0];
    await postSigned(eventsUrl, SIGNING_SECRET, interactiveBody(blockActions({ actionId: 'approve', value: approval, user: BOB, channel: CHANNEL, messageTs: String(ask.response.ts), responseUrl: slack.responseUrl('approve') })));
    const ok = await waitFor(async () => slack.callsOf('response_url').find((c) => c.args.id === 'approve'), { what: 'the answer to Approve', timeoutMs: 30_000, intervalMs: 100 });
    id = /up-[a-z0-9]+/.exec(ok.args.text ?? '')?.[0] ?? assert.fail(`no rollout started: ${ok.args.text}`);

    // The failover, while the canary's playbook runs (its checkpoint is written after the promotion).
    await untilRollout((r) => r.nodes.some((n) => n.state === 'upgrading'), 'a node upgrading', 120_000);
    const oldPort = await sentinel.killPrimary();
    const killedAt = Date.now();
    const newPort = await sentinel.waitForPromotion(oldPort, 90_000);
    assert.notEqual(newPort, oldPort);
    t.diagnostic(`promoted ${newPort} ${Date.now() - killedAt} ms after the SIGKILL of ${oldPort}`);

    // Commands are answered again: several of those sent after the promotion.
    const promotedAt = Date.now();
    await waitFor(async () => answered(promotedAt).length >= 5 || undefined, { what: 'status answered again after the promotion', timeoutMs: 120_000, intervalMs: 200 })
      .catch((err: Error) => { throw new Error(`${err.message}; ${lastAnswers()}\nbot stderr:\n${bot.stderr().slice(-3_000)}`); });
    t.diagnostic(`the first answered command was sent ${Math.min(...answered(killedAt).map((s) => s.at)) - killedAt} ms after the kill`);

    // The rollout finishes, every node's playbook run exactly once.
    const end = await untilRollout((r) => ['done', 'halted', 'failed', 'aborted'].includes(r.status), 'finished', 300_000);
    assert.equal(end.status, 'done', JSON.stringify(end, null, 1));
    assert.deepEqual(runsOf(hosts, id), Object.fromEntries(hosts.hosts.map((h) => [h.name, 1])), 'each node ran the playbook once');
    assert.deepEqual(end.nodes.map((n) => n.runs), end.nodes.map(() => 1));

    // Sweeps go on: a node killed now gets its alert in Slack.
    await spare.stop();
    await waitFor(async () => postsIn(CHANNEL).find((c) => /FIRING unreachable on spare-1/.test(c.args.text ?? '')), { what: 'the unreachable alert of spare-1 in Slack', timeoutMs: 120_000, intervalMs: 200 })
      .catch((err: Error) => { throw new Error(`${err.message}\nworker stderr:\n${worker.stderr().slice(-3_000)}`); });
    const revived = (p: BotProcess) => p.logs().filter((l) => /stopped a reconnect half-way/.test(l.msg ?? '')).length;
    t.diagnostic(`clients connected again after a failover stopped their reconnect: bot ${revived(bot)}, worker ${revived(worker)}`);
    for (const p of [bot, worker]) {
      assert.deepEqual(p.exit(), { code: null, signal: null }, 'no process exited on the failover');
      assert.ok(!/CROSSSLOT/.test(p.stderr()), 'no CROSSSLOT');
    }
  } finally {
    streaming = false; // or the stream would keep the file alive until the runner's timeout
    await stream;
  }
});
