/**
 * The real bot process (`node bin/chainops.js bot`) against the Slack Web API stand-in and a
 * redis-server started here. Requests are signed exactly as Slack signs them; what the bot posts is
 * read back from the stand-in, what it queues from BullMQ itself.
 *
 * Only the `bot` role runs: the approval flow ends with a queued upgrade job, and the test asserts on
 * that job (exactly one) without letting a worker execute it.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { freePort } from '../../adapters/local/free-port.ts';
import { startRedisServer, type RedisServerHandle } from '../../adapters/local/redis-server.process.ts';
import { waitFor } from '../../adapters/local/wait-for.ts';
import { QueueProbe, startBotProcess, type BotProcess } from '../helpers/bot-process.ts';
import { assertNoSecrets, logRecords, slackStandInRecords } from '../helpers/secret-scan.ts';
import { writeE2eFleet } from '../helpers/e2e-fleet.ts';
import { formBody, interactiveBody, postSigned, slackSignature } from '../helpers/slack-sign.ts';
import { startSlackStandIn, type SlackCall, type SlackStandIn } from '../stand-ins/slack-api.stand-in.ts';
import { appMention, blockActions, eventEnvelope, slashCommandFields, TEAM } from '../stand-ins/slack-payloads.ts';

const BOT_TOKEN = `xoxb-e2e-${randomBytes(12).toString('hex')}`;
const APP_TOKEN = `xapp-1-A0STANDIN-${randomBytes(12).toString('hex')}`;
const SIGNING_SECRET = randomBytes(16).toString('hex');
const RPC_PASSWORD = randomBytes(12).toString('hex');
const CHANNEL = 'C0OPS';
/** alice and bob are approvers, carol an operator; alice requests, so she may not approve. */
const ALICE = 'U0ALICE';
const BOB = 'U0BOB';

let redis: RedisServerHandle;
let slack: SlackStandIn;
let bot: BotProcess;
/** A second process of the same app in Socket Mode (SLACK_APP_TOKEN set). */
let socketBot: BotProcess | undefined;
let probe: QueueProbe;
let keys: Redis;
let dir: string;
let eventsUrl: string;
const prefix = `e2e-slack-${randomBytes(3).toString('hex')}`;

before(async () => {
  [redis, slack] = await Promise.all([startRedisServer({ appendonly: false }), startSlackStandIn({ botToken: BOT_TOKEN, appToken: APP_TOKEN })]);
  dir = await mkdtemp(join(tmpdir(), 'chainops-e2e-slack-'));
  const fleetPath = await writeE2eFleet(dir, {
    slack: { channel: CHANNEL, approvers: [`${TEAM}/${ALICE}`, `${TEAM}/${BOB}`], operators: [`${TEAM}/U0CAROL`] },
  });
  const port = await freePort();
  const env = { REDIS_URL: redis.url, CHAINOPS_CONFIG: fleetPath, LOG_LEVEL: 'debug', SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: slack.url, CHAINOPS_SECRET_LTC_RPC_PASSWORD: RPC_PASSWORD };
  // Both processes start at once (each takes a few seconds to load); a failed start stops the other.
  const [http, socket] = await Promise.allSettled([
    startBotProcess('bot', { ...env, CHAINOPS_PREFIX: prefix, PORT: String(port) }),
    // Socket Mode: same app, the app token set; its own prefix so its approvals and jobs stay apart.
    startBotProcess('bot', { ...env, CHAINOPS_PREFIX: `${prefix}-sock`, PORT: String(await freePort()), SLACK_APP_TOKEN: APP_TOKEN }),
  ]);
  if (http.status === 'fulfilled') bot = http.value;
  if (socket.status === 'fulfilled') socketBot = socket.value;
  for (const r of [http, socket]) if (r.status === 'rejected') throw r.reason;
  eventsUrl = `http://127.0.0.1:${port}/slack/events`;
  probe = new QueueProbe(redis.url, prefix);
  keys = new Redis(redis.url);
});

after(async () => {
  // Each step on its own: a failure in one must not leave a process or a server behind.
  await bot?.stop().catch(() => undefined);
  await socketBot?.stop().catch(() => undefined);
  await probe?.close().catch(() => undefined);
  keys?.disconnect();
  await slack?.stop().catch(() => undefined);
  await redis?.stop().catch(() => undefined);
  if (dir) await rm(dir, { recursive: true, force: true });
});

const until = <T>(what: string, probeFn: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000) =>
  waitFor(async () => probeFn(), { what, timeoutMs, intervalMs: 25 });

function slashBody(text: string, o: { user?: string; responseId: string; channel?: string; trigger?: string }): string {
  return formBody(slashCommandFields({
    text, user: o.user ?? ALICE, channel: o.channel ?? CHANNEL, responseUrl: slack.responseUrl(o.responseId), ...(o.trigger ? { trigger: o.trigger } : {}),
  }));
}

function click(o: { user: string; approvalId: string; messageTs: string; responseId: string; actionId?: string }): string {
  return interactiveBody(blockActions({ actionId: o.actionId ?? 'approve', value: o.approvalId, user: o.user, channel: CHANNEL, messageTs: o.messageTs, responseUrl: slack.responseUrl(o.responseId) }));
}

/** The buttons of a posted or edited message, as Slack got them. */
function buttons(blocks: unknown[] | undefined): Array<{ action_id: string; value?: string; text: { text: string }; confirm?: unknown }> {
  return (blocks ?? []).flatMap((b) => ((b as { type: string }).type === 'actions' ? (b as { elements: never[] }).elements : []));
}

const answerTo = (id: string) => until(`a response_url answer ${id}`, () => slack.callsOf('response_url').find((c) => c.args.id === id));

/** Post a prod upgrade request as alice and return the approval message the bot posted. */
async function requestProdUpgrade(version: string): Promise<{ approvalId: string; post: SlackCall }> {
  const res = await postSigned(eventsUrl, SIGNING_SECRET, slashBody(`upgrade eth-devnet ${version} --env prod`, { responseId: `req-${version}` }));
  assert.equal(res.status, 200);
  const post = await until(`the approval message for ${version}`, () =>
    slack.callsOf('chat.postMessage').find((c) => c.status === 200 && c.args.text?.includes(`upgrade eth-devnet ${version}`) && buttons(c.args.blocks).length > 0));
  const approvalId = buttons(post.args.blocks).find((b) => b.action_id === 'approve')?.value;
  assert.ok(approvalId && approvalId.startsWith('ap-'), 'the Approve button carries the approval id');
  return { approvalId, post };
}

/** Every job in the upgrade queue, in any state. */
const upgradeJobs = async () => probe.jobs('upgrade');

const dropLogs = () => bot.logs().filter((l) => l.msg === 'dropped a duplicate Slack delivery').length;

describe('Slack: the real bot process, HTTP mode', () => {
  test('/chainops upgrade … --env prod: request, self-approval refused, approver approves, message edited, one job', async () => {
    const t0 = Date.now();
    const { approvalId, post } = await requestProdUpgrade('7.9.3');
    const ts = String(post.response.ts);
    assert.equal(post.args.channel, CHANNEL);
    assert.equal(post.token, BOT_TOKEN);
    assert.deepEqual(buttons(post.args.blocks).map((b) => b.text.text), ['Approve', 'Reject']);
    assert.ok(buttons(post.args.blocks)[0]!.confirm, 'Approve asks for confirmation (Slack renders the dialog)');
    assert.match(JSON.stringify(post.args.blocks), /requested by.*slack:T0STANDIN\/U0ALICE/);
    assert.deepEqual(await upgradeJobs(), [], 'nothing is queued before approval');

    // The requester clicks Approve: refused, only she sees why, nothing changes.
    assert.equal((await postSigned(eventsUrl, SIGNING_SECRET, click({ user: ALICE, approvalId, messageTs: ts, responseId: 'alice-approve' }))).status, 200);
    const refusal = await answerTo('alice-approve');
    assert.equal(refusal.args.response_type, 'ephemeral');
    assert.match(refusal.args.text, new RegExp(`you requested ${approvalId}, so someone else must approve it`));
    assert.deepEqual(await upgradeJobs(), []);
    assert.equal(slack.messages.find((m) => m.ts === ts)!.edits.length, 0, 'the request message is untouched');

    // An approver clicks Approve: approved, the message is edited in place without buttons, one job queued.
    assert.equal((await postSigned(eventsUrl, SIGNING_SECRET, click({ user: BOB, approvalId, messageTs: ts, responseId: 'bob-approve' }))).status, 200);
    const ok = await answerTo('bob-approve');
    assert.equal(ok.args.response_type, 'ephemeral');
    const jobId = new RegExp(`Approved ${approvalId}; started (up-[a-z0-9]+)`).exec(ok.args.text)?.[1];
    assert.ok(jobId, ok.args.text);
    const edit = await until('chat.update of the approval message', () => slack.callsOf('chat.update').find((c) => c.args.ts === ts && c.status === 200));
    assert.equal(edit.args.channel, CHANNEL);
    assert.deepEqual(buttons(edit.args.blocks), [], 'spent buttons are removed');
    assert.match(edit.args.text, /\(approved\)/);
    assert.match(JSON.stringify(edit.args.blocks), /Approved by slack:T0STANDIN\/U0BOB/);
    const jobs = await upgradeJobs();
    assert.deepEqual(jobs.map((j) => j.id), [jobId]);
    assert.deepEqual(
      { env: jobs[0]!.data.env, group: jobs[0]!.data.group, version: jobs[0]!.data.version, requestedBy: jobs[0]!.data.requestedBy, approvedBy: jobs[0]!.data.approvedBy },
      { env: 'prod', group: 'eth-devnet', version: '7.9.3', requestedBy: 'slack:T0STANDIN/U0ALICE', approvedBy: ['slack:T0STANDIN/U0BOB'] },
    );
    // The job owns a message of its own in the same channel.
    await until('the job message', () => slack.callsOf('chat.postMessage').find((c) => c.status === 200 && c.args.channel === CHANNEL && c.args.text?.includes(jobId)));
    assert.ok(Date.now() - t0 < 20_000);
  });

  test('a double click on Approve produces exactly one job', async () => {
    const { approvalId, post } = await requestProdUpgrade('7.9.4');
    const before = dropLogs();
    const ts = String(post.response.ts);
    // Two separate requests (each click is its own signed delivery), sent at the same moment.
    const [a, b] = await Promise.all([
      postSigned(eventsUrl, SIGNING_SECRET, click({ user: BOB, approvalId, messageTs: ts, responseId: 'dbl-1' })),
      postSigned(eventsUrl, SIGNING_SECRET, click({ user: BOB, approvalId, messageTs: ts, responseId: 'dbl-2' })),
    ]);
    assert.deepEqual([a.status, b.status], [200, 200], 'both clicks are acked');
    await until('the second click to be dropped', () => dropLogs() > before || undefined);
    const answers = () => slack.callsOf('response_url').filter((c) => c.args.id === 'dbl-1' || c.args.id === 'dbl-2');
    const [answer] = await until('the click that got through to be answered', () => (answers().length > 0 ? answers() : undefined));
    assert.match(answer!.args.text, new RegExp(`Approved ${approvalId}; started up-`));
    await until('the approval message to be edited', () => slack.callsOf('chat.update').find((c) => c.args.ts === ts && c.status === 200));
    const mine = (await upgradeJobs()).filter((j) => j.data.version === '7.9.4');
    assert.equal(mine.length, 1, `jobs: ${JSON.stringify(mine.map((j) => j.id))}`);
    assert.equal(answers().length, 1, 'only one click reached the core');
    assert.equal(slack.callsOf('chat.update').filter((c) => c.args.ts === ts).length, 1, 'and the message was edited once');
  });

  test('a retried delivery (X-Slack-Retry-Num) produces exactly one job: slash command and @mention', async () => {
    const before = dropLogs();
    // dev needs no approval, so the command itself queues the job.
    const body = slashBody('upgrade ltc-regtest 0.21.3 --env dev', { responseId: 'retry-cmd' });
    assert.equal((await postSigned(eventsUrl, SIGNING_SECRET, body)).status, 200);
    const retry = await postSigned(eventsUrl, SIGNING_SECRET, body, {
      timestamp: Math.floor(Date.now() / 1000) + 1, headers: { 'X-Slack-Retry-Num': '1', 'X-Slack-Retry-Reason': 'http_timeout' },
    });
    assert.equal(retry.status, 200, 'a retry is acked, so Slack stops retrying');

    const mention = JSON.stringify(eventEnvelope(appMention({ text: '<@U0CHAINOPS> upgrade ltc-regtest 0.21.4 --env dev', user: ALICE, channel: CHANNEL, ts: '1700000001.000100' })));
    assert.equal((await postSigned(eventsUrl, SIGNING_SECRET, mention)).status, 200);
    for (const n of ['1', '2']) {
      const res = await postSigned(eventsUrl, SIGNING_SECRET, mention, {
        timestamp: Math.floor(Date.now() / 1000) + Number(n), headers: { 'X-Slack-Retry-Num': n, 'X-Slack-Retry-Reason': 'http_timeout' },
      });
      assert.equal(res.status, 200);
    }
    await until('three retries to be dropped', () => dropLogs() >= before + 3 || undefined);
    const jobPosts = () => slack.callsOf('chat.postMessage').filter((c) => c.status === 200 && /upgrade dev\/ltc-regtest/.test(c.args.text ?? ''));
    await until('both job messages', () => jobPosts().length >= 2 || undefined);
    const jobs = (await upgradeJobs()).filter((j) => j.data.env === 'dev');
    assert.deepEqual(jobs.map((j) => j.data.version).sort(), ['0.21.3', '0.21.4'], 'one job per command, whatever the retries');
    assert.equal(jobPosts().length, 2, 'and one job message each');
  });

  test('forged signature, stale timestamp and replayed request: 401, nothing queued, nothing stored', async () => {
    const queuedBefore = await probe.all();
    const keysBefore = new Set(await keys.keys('*'));
    const callsBefore = slack.calls.length;
    const now = Math.floor(Date.now() / 1000);

    const forged = slashBody('upgrade ltc-regtest 0.21.9 --env dev', { responseId: 'forged' });
    assert.equal((await postSigned(eventsUrl, SIGNING_SECRET, forged, { signature: slackSignature('not-the-signing-secret', forged, now) })).status, 401);
    const stale = slashBody('upgrade ltc-regtest 0.21.8 --env dev', { responseId: 'stale' });
    assert.equal((await postSigned(eventsUrl, SIGNING_SECRET, stale, { timestamp: now - 6 * 60 })).status, 401);
    const forgedClick = click({ user: BOB, approvalId: 'ap-00000000', messageTs: '1700000000.000001', responseId: 'forged-click' });
    assert.equal((await postSigned(eventsUrl, SIGNING_SECRET, forgedClick, { signature: `v0=${'0'.repeat(64)}` })).status, 401);
    assert.equal((await fetch(eventsUrl, { method: 'POST', body: forged, headers: { 'content-type': 'application/x-www-form-urlencoded' } })).status, 401, 'unsigned');

    assert.deepEqual(await probe.all(), queuedBefore, 'no job queued');
    const newKeys = (await keys.keys('*')).filter((k) => !keysBefore.has(k));
    assert.deepEqual(newKeys, [], 'nothing written to Redis');
    assert.equal(slack.calls.length, callsBefore, 'nothing posted to Slack');

    // A replay: the very same bytes and headers as a request that was accepted a moment ago.
    const body = slashBody('upgrade ltc-regtest 0.21.7 --env dev', { responseId: 'replay' });
    const headers = { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(now), 'x-slack-signature': slackSignature(SIGNING_SECRET, body, now) };
    assert.equal((await fetch(eventsUrl, { method: 'POST', headers, body })).status, 200);
    const job = await until('the original request to queue its job', async () => (await upgradeJobs()).find((j) => j.data.version === '0.21.7'));
    // …and to finish its work (the job message's ref is the last thing it stores).
    await until('the job message ref', async () => (await keys.exists(`{${prefix}:state}:msg:job:${job.id}`)) === 1 || undefined);
    const queuedAfterOriginal = await probe.all();
    const keysAfterOriginal = new Set(await keys.keys('*'));
    assert.equal((await fetch(eventsUrl, { method: 'POST', headers, body })).status, 401, 'the replay is refused');
    assert.deepEqual(await probe.all(), queuedAfterOriginal, 'the replay queued nothing');
    assert.deepEqual((await keys.keys('*')).filter((k) => !keysAfterOriginal.has(k)), []);
    // Logs are written asynchronously: wait for the lines rather than read them at once.
    const refusals = () => bot.logs().filter((l) => typeof l.msg === 'string' && l.msg.startsWith('refused a')).length;
    await until('each refusal to be logged', () => refusals() >= 5 || undefined, 5_000).catch(() => undefined);
    assert.ok(refusals() >= 5, `each refusal is logged (${refusals()})`);
  });

  test('Socket Mode: the same slash command through the WebSocket is acked and answered', async () => {
    await slack.socket.waitForConnection(10_000);
    const open = slack.callsOf('apps.connections.open').at(-1)!;
    assert.equal(open.token, APP_TOKEN, 'the socket is opened with the app token');
    const fields = slashCommandFields({ text: 'upgrade eth-devnet 7.9.5 --env prod', user: ALICE, channel: 'C0SOCK', responseUrl: slack.responseUrl('socket') });
    const t0 = Date.now();
    const ack = await slack.socket.sendEnvelope('slash_commands', fields, { ackTimeoutMs: 3_000 });
    assert.ok(Date.now() - t0 < 3_000, 'acked within Slack\'s 3 s');
    assert.ok(ack.envelope_id);
    const post = await until('the approval message over Socket Mode', () =>
      slack.callsOf('chat.postMessage').find((c) => c.status === 200 && c.args.channel === 'C0SOCK' && c.args.text?.includes('upgrade eth-devnet 7.9.5')));
    assert.deepEqual(buttons(post.args.blocks).map((b) => b.action_id), ['approve', 'reject']);
    assert.equal(post.token, BOT_TOKEN);
    const sockProbe = new QueueProbe(redis.url, `${prefix}-sock`);
    try {
      assert.deepEqual(await sockProbe.all(), [], 'a prod request waits for approval');
    } finally {
      await sockProbe.close();
    }
  });

  test('no secret (bot token, app token, signing secret, RPC password) in anything Slack received or the bot printed', async () => {
    // Stopped first: logs are written asynchronously and flushed on exit, so every line is scanned.
    await Promise.all([bot.stop(), socketBot?.stop()]);
    // Web API arguments and response_url bodies (the Authorization header, where the token belongs, is not
    // part of them), what went back over the socket, and every line both bot processes wrote.
    const records = [
      ...slackStandInRecords(slack),
      ...slack.socket.acks.map((a, i) => ({ where: `socket ack #${i}`, value: a })),
      ...logRecords(bot.stdout().split('\n'), 'bot stdout'),
      ...logRecords(bot.stderr().split('\n'), 'bot stderr'),
      ...(socketBot ? [...logRecords(socketBot.stdout().split('\n'), 'socket bot stdout'), ...logRecords(socketBot.stderr().split('\n'), 'socket bot stderr')] : []),
    ];
    assert.ok(slack.calls.length > 10 && bot.stderr().length > 1_000, 'there is something to scan');
    assertNoSecrets({ BOT_TOKEN, APP_TOKEN, SIGNING_SECRET, RPC_PASSWORD }, records, 'Slack stand-in bodies and bot output');
  });
});
