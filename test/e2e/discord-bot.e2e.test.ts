/**
 * The real bot process (`node bin/chainops.js bot`) against the Discord stand-in (gateway + REST) and a
 * redis-server started here: the approval flow with Discord's two-step confirm, autocomplete from the
 * fleet, and a second process in HTTP interactions mode. What the bot sends is read back from the
 * stand-in, what it queues from BullMQ.
 *
 * Only the `bot` role runs, so the approved upgrade job stays queued and is asserted on, not executed.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePort } from '../../adapters/local/free-port.ts';
import { startRedisServer, type RedisServerHandle } from '../../adapters/local/redis-server.process.ts';
import { waitFor } from '../../adapters/local/wait-for.ts';
import { QueueProbe, startBotProcess, type BotProcess } from '../helpers/bot-process.ts';
import { makeDiscordSigner, postSignedInteraction } from '../helpers/discord-sign.ts';
import { writeE2eFleet } from '../helpers/e2e-fleet.ts';
import { assertNoSecrets, discordStandInRecords, logRecords } from '../helpers/secret-scan.ts';
import {
  autocompleteInteraction, chatInputInteraction, componentInteraction, startDiscordStandIn, type DiscordStandIn, type RecordedCall,
} from '../stand-ins/discord.stand-in.ts';

const TOKEN = `e2e.${randomBytes(18).toString('base64url')}`;
const RPC_PASSWORD = randomBytes(12).toString('hex');
/** alice is an approver through a guild role, bob by user id; alice requests, so she may not approve. */
const APPROVER_ROLE = '610000000000000001';
const ALICE = { userId: '410000000000000001', roleIds: [APPROVER_ROLE] };
const BOB = { userId: '420000000000000002', roleIds: [] };

let redis: RedisServerHandle;
let si: DiscordStandIn;
let bot: BotProcess;
/** The second process, in HTTP interactions mode (Discord POSTs interactions to it, signed). */
let httpBot: BotProcess | undefined;
let httpPort: number;
const signer = makeDiscordSigner();
let probe: QueueProbe;
let dir: string;
let fleetPath: string;
const prefix = `e2e-discord-${randomBytes(3).toString('hex')}`;

before(async () => {
  [redis, si] = await Promise.all([startRedisServer({ appendonly: false }), startDiscordStandIn({ token: TOKEN })]);
  dir = await mkdtemp(join(tmpdir(), 'chainops-e2e-discord-'));
  httpPort = await freePort();
  fleetPath = await writeE2eFleet(dir, { discord: { channel: si.ids.channelId, approvers: [BOB.userId], approverRoles: [APPROVER_ROLE] } });
  // Both processes start at once (each takes a few seconds to load); a failed start stops the other.
  const [gateway, http] = await Promise.allSettled([
    startBotProcess('bot', botEnv(prefix, { DISCORD_GUILD_ID: si.ids.guildId, PORT: String(await freePort()) })),
    startBotProcess('bot', botEnv(`${prefix}-http`, { DISCORD_MODE: 'http', DISCORD_PUBLIC_KEY: signer.publicKeyHex, PORT: String(httpPort) })),
  ]);
  if (gateway.status === 'fulfilled') bot = gateway.value;
  if (http.status === 'fulfilled') httpBot = http.value;
  for (const r of [gateway, http]) if (r.status === 'rejected') throw r.reason;
  await si.waitForReady(10_000);
  probe = new QueueProbe(redis.url, prefix);
});

after(async () => {
  await bot?.stop().catch(() => undefined);
  await httpBot?.stop().catch(() => undefined);
  await probe?.close().catch(() => undefined);
  await si?.stop().catch(() => undefined);
  await redis?.stop().catch(() => undefined);
  if (dir) await rm(dir, { recursive: true, force: true });
});

function botEnv(p: string, extra: Record<string, string>): Record<string, string> {
  return {
    REDIS_URL: redis.url, CHAINOPS_CONFIG: fleetPath, CHAINOPS_PREFIX: p, LOG_LEVEL: 'debug', CHAINOPS_SECRET_LTC_RPC_PASSWORD: RPC_PASSWORD,
    DISCORD_TOKEN: TOKEN, DISCORD_APPLICATION_ID: si.ids.applicationId, DISCORD_API_URL: si.apiBase, ...extra,
  };
}

const call = (what: string, pred: (c: RecordedCall) => boolean, timeoutMs = 10_000) =>
  si.waitForCall(pred, timeoutMs).catch((err: Error) => {
    throw new Error(`${what}: ${err.message}`);
  });
const callbackOf = (i: { id: string; token: string }) => call(`the callback of ${i.id}`, (c) => c.method === 'POST' && c.route === `/api/v10/interactions/${i.id}/${i.token}/callback`);
const followUpOf = (i: { token: string }) => call('a follow-up', (c) => c.method === 'POST' && c.route === `/api/v10/webhooks/${si.ids.applicationId}/${i.token}`);
const buttonsOf = (m: Record<string, unknown> | undefined) =>
  ((m?.components as Array<{ components: Array<{ custom_id: string; label: string; style: number }> }> | undefined) ?? []).flatMap((r) => r.components);
/** Everything a person reads in a message body: content, embed titles, descriptions, fields. */
const textOf = (body: { content?: string; embeds?: Array<{ title?: string; description?: string; fields?: Array<{ name: string; value: string }> }> }) =>
  [body.content ?? '', ...(body.embeds ?? []).flatMap((e) => [e.title ?? '', e.description ?? '', ...(e.fields ?? []).map((f) => `${f.name}: ${f.value}`)])].join('\n');

const upgradeOptions = (version: string) => [
  { name: 'target', type: 3, value: 'eth-devnet' }, { name: 'version', type: 3, value: version }, { name: 'env', type: 3, value: 'prod' },
];

/** Click a button on `message` as `who`; returns the interaction and its (first) callback. */
async function click(customId: string, message: Record<string, unknown>, who: typeof ALICE) {
  const i = si.sendInteraction(componentInteraction(si.ids, customId, message, who));
  return { i, callback: await callbackOf(i) };
}

/** Click an ask-first button, then the prompt's confirm button; returns the confirming interaction. */
async function clickAndConfirm(customId: string, message: Record<string, unknown>, who: typeof ALICE) {
  const ask = await click(customId, message, who);
  assert.equal(ask.callback.body.type, 4, 'the first click answers with a prompt');
  const prompt = si.originalOf(ask.i.token)!;
  const yes = buttonsOf(prompt).find((b) => b.custom_id.startsWith('!'))!;
  const confirmed = await click(yes.custom_id, prompt, who);
  assert.equal(confirmed.callback.body.type, 7, 'confirming updates the prompt');
  assert.deepEqual(confirmed.callback.body.data.components, [], 'the prompt loses its buttons');
  return confirmed.i;
}

describe('Discord: the real bot process, gateway mode', () => {
  test('approval flow: request, self-approval refused, approver approves after confirming, message edited, buttons removed, one job', async () => {
    const cmd = si.sendInteraction(chatInputInteraction(si.ids, 'upgrade', upgradeOptions('7.9.3'), ALICE));
    assert.deepEqual((await callbackOf(cmd)).body, { type: 5, data: {} }, 'deferred publicly within the 3 s window');
    await call('the approval message', (c) => c.method === 'PATCH' && c.route === `/api/v10/webhooks/${si.ids.applicationId}/${cmd.token}/messages/@original`);
    const approval = si.originalOf(cmd.token)!;
    const [approve, reject] = buttonsOf(approval);
    assert.match(approve!.custom_id, /^\?approve:ap-[a-z0-9]+$/, 'Approve asks first (it has a confirm)');
    assert.equal(approve!.label, 'Approve');
    const approvalId = approve!.custom_id.split(':')[1]!;
    assert.equal(reject!.custom_id, `reject:${approvalId}`, 'Reject acts at once');
    assert.match(textOf(approval as never), /upgrade eth-devnet 7\.9\.3/);

    // First click: only an ephemeral prompt, seen by the clicker; nothing decided yet.
    const ask = await click(approve!.custom_id, approval, ALICE);
    assert.equal(ask.callback.body.data.flags, 64);
    assert.match(ask.callback.body.data.content, /\*\*Approve\*\* — are you sure\?/);
    assert.deepEqual(buttonsOf(ask.callback.body.data).map((b) => b.label), ['Yes, Approve', 'Cancel']);
    assert.equal(buttonsOf(ask.callback.body.data)[0]!.custom_id, `!${approval.id}:approve:${approvalId}`);

    // The requester confirms: refused (no self-approval), privately.
    const aliceYes = await click(buttonsOf(ask.callback.body.data)[0]!.custom_id, si.originalOf(ask.i.token)!, ALICE);
    assert.equal(aliceYes.callback.body.type, 7);
    const refusal = await followUpOf(aliceYes.i);
    assert.equal(refusal.body.flags, 64);
    assert.match(textOf(refusal.body), new RegExp(`you requested ${approvalId}, so someone else must approve it`));
    assert.deepEqual(await probe.jobs('upgrade'), []);

    // An approver clicks, then cancels: nothing happens.
    const bobAsk = await click(approve!.custom_id, si.originalOf(cmd.token)!, BOB);
    const cancel = await click('~', si.originalOf(bobAsk.i.token)!, BOB);
    assert.deepEqual(cancel.callback.body, { type: 7, data: { content: 'Cancelled — nothing was done.', components: [], allowed_mentions: { parse: [] } } });

    // …then confirms: approved, the message is edited in place without buttons, one job.
    const bobYes = await clickAndConfirm(approve!.custom_id, si.originalOf(cmd.token)!, BOB);
    const ok = await followUpOf(bobYes);
    assert.equal(ok.body.flags, 64);
    const jobId = new RegExp(`Approved ${approvalId}; started (up-[a-z0-9]+)`).exec(textOf(ok.body))?.[1];
    assert.ok(jobId, textOf(ok.body));
    const edited = await waitFor(async () => {
      const m = si.messages.get(String(approval.id));
      return m && m.edited_timestamp && buttonsOf(m).length === 0 ? m : undefined;
    }, { what: 'the approval message to lose its buttons', timeoutMs: 10_000, intervalMs: 25 });
    assert.match(textOf(edited as never), new RegExp(`Approved by discord:${BOB.userId}`));
    const jobs = await probe.jobs('upgrade');
    assert.deepEqual(jobs.map((j) => j.id), [jobId]);
    assert.deepEqual(
      { env: jobs[0]!.data.env, version: jobs[0]!.data.version, requestedBy: jobs[0]!.data.requestedBy, approvedBy: jobs[0]!.data.approvedBy },
      { env: 'prod', version: '7.9.3', requestedBy: `discord:${ALICE.userId}`, approvedBy: [`discord:${BOB.userId}`] },
    );
    const jobPost = await call('the job message', (c) => c.method === 'POST' && c.route === `/api/v10/channels/${si.ids.channelId}/messages` && textOf(c.body).includes(jobId));
    assert.equal(jobPost.auth, `Bot ${TOKEN}`, 'the job message is posted with the bot token');

    // A late second confirm (another prompt opened before) changes nothing and queues nothing.
    const again = await clickAndConfirm(approve!.custom_id, approval, BOB);
    assert.match(textOf((await followUpOf(again)).body), /already approved/);
    assert.equal((await probe.jobs('upgrade')).length, 1);
  });

  test('autocomplete answers with matching groups, environments and versions from the fleet', async () => {
    const ask = async (options: Array<{ name: string; type: number; value: string; focused?: boolean }>) => {
      const i = si.sendInteraction(autocompleteInteraction(si.ids, 'upgrade', options, ALICE));
      const cb = await callbackOf(i);
      assert.equal(cb.body.type, 8);
      return (cb.body.data.choices as Array<{ name: string; value: string }>).map((c) => c.value);
    };
    const targets = await ask([{ name: 'target', type: 3, value: 'eth', focused: true }]);
    assert.deepEqual([...targets].sort(), ['eth-1', 'eth-2', 'eth-3', 'eth-devnet'], 'the group and its nodes, nothing else');
    assert.deepEqual(await ask([{ name: 'target', type: 3, value: 'ltc-r', focused: true }]), ['ltc-regtest']);
    assert.deepEqual(await ask([{ name: 'target', type: 3, value: 'eth-devnet' }, { name: 'version', type: 3, value: '7.9', focused: true }]), ['7.9.2']);
    assert.deepEqual(await ask([{ name: 'target', type: 3, value: 'eth-devnet' }, { name: 'version', type: 3, value: '0.2', focused: true }]), ['0.21.2.1']);
    assert.deepEqual(await ask([{ name: 'target', type: 3, value: 'eth-devnet' }, { name: 'env', type: 3, value: 'pr', focused: true }]), ['prod']);
  });

  test('HTTP interactions mode: bad signature → 401, PING → PONG, a signed command is answered', async () => {
    const url = `http://127.0.0.1:${httpPort}/interactions`;
    const ping = { id: '1', application_id: si.ids.applicationId, type: 1, token: 'ping-token', version: 1 };

    assert.equal((await postSignedInteraction(url, signer, ping, true)).status, 401, 'tampered signature');
    assert.equal((await postSignedInteraction(url, makeDiscordSigner(), ping)).status, 401, 'signed with another key');
    const body = JSON.stringify(ping);
    assert.equal((await fetch(url, { method: 'POST', body, headers: signer.headers(body, Math.floor(Date.now() / 1000) - 600) })).status, 401, 'stale timestamp');
    const pong = await postSignedInteraction(url, signer, ping);
    assert.equal(pong.status, 200);
    assert.deepEqual(await pong.json(), { type: 1 });

    const cmd = chatInputInteraction(si.ids, 'upgrade', upgradeOptions('7.9.6'), ALICE);
    const res = await si.deliverHttpInteraction(url, cmd, (b) => signer.headers(b));
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { type: 5, data: {} }, 'deferred in the HTTP response');
    const edit = await call('the answer through the webhook', (c) => c.method === 'PATCH' && c.route === `/api/v10/webhooks/${si.ids.applicationId}/${cmd.token}/messages/@original`);
    assert.equal(edit.auth, undefined, 'interaction webhooks carry no bot token');
    assert.match(textOf(edit.body), /Approval ap-[a-z0-9]+: upgrade eth-devnet 7\.9\.6/);
    // The prompt of a two-step button is the HTTP response itself.
    const approval = si.originalOf(cmd.token)!;
    const askFirst = buttonsOf(approval).find((b) => b.custom_id.startsWith('?approve:'))!;
    const prompt = await si.deliverHttpInteraction(url, componentInteraction(si.ids, askFirst.custom_id, approval, BOB), (b) => signer.headers(b));
    assert.equal(prompt.body.type, 4);
    assert.equal(prompt.body.data.flags, 64);
    const httpProbe = new QueueProbe(redis.url, `${prefix}-http`);
    try {
      assert.deepEqual(await httpProbe.all(), [], 'nothing queued: the request waits for approval');
    } finally {
      await httpProbe.close();
    }
  });

  test('no secret (bot token, RPC password) in anything Discord received or the bot printed', async () => {
    // Stopped first: logs are written asynchronously and flushed on exit, so every line is scanned.
    await Promise.all([bot.stop(), httpBot?.stop()]);
    const records = [
      ...discordStandInRecords(si),
      ...logRecords(bot.stdout().split('\n'), 'bot stdout'),
      ...logRecords(bot.stderr().split('\n'), 'bot stderr'),
      ...(httpBot ? [...logRecords(httpBot.stdout().split('\n'), 'http bot stdout'), ...logRecords(httpBot.stderr().split('\n'), 'http bot stderr')] : []),
    ];
    assert.ok(si.calls.length > 10 && bot.logs().length >= 3, `there is something to scan (${si.calls.length} calls, ${bot.logs().length} log lines)`);
    assertNoSecrets({ TOKEN, RPC_PASSWORD }, records, 'Discord stand-in bodies and bot output');
    // The token did its job: it is in the Authorization header of bot calls and the gateway IDENTIFY only.
    assert.ok(si.calls.some((c) => c.auth === `Bot ${TOKEN}`));
    assert.ok(si.identifies.every((i) => i.token === TOKEN));
  });
});
