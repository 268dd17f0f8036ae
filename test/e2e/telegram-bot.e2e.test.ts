/**
 * Telegram end to end: the real `chainops bot` (grammY, long polling) and `chainops worker` processes
 * against a Bot API stand-in, two real ganache nodes. Commands in a group (`/chainops@ChainOpsBot`,
 * the `/status` short form), an approval whose inline buttons are pressed by another user, an alert
 * with Acknowledge that is edited in place and answered in its reply chain, a 429 honoured through the
 * outbox, and no secret in anything Telegram received or the processes printed.
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
import { assertNoSecrets, logRecords, telegramStandInRecords } from '../helpers/secret-scan.ts';
import { startTelegramStandIn, type TelegramStandIn, type TgStoredMessage } from '../stand-ins/telegram.stand-in.ts';

const TOKEN = `123456789:${randomBytes(24).toString('base64url')}`;
const GROUP = { id: -1001234567890 };
const CAROL = { id: 1001, username: 'carol' }; // operator
const BOB = { id: 2002, username: 'bob' }; // approver

let redis: RedisServerHandle;
let tg: TelegramStandIn;
let eth: GanacheHandle[] = [];
let bot: BotProcess;
let worker: BotProcess;
let dir: string;

before(async () => {
  [redis, tg] = await Promise.all([startRedisServer({ appendonly: false }), startTelegramStandIn({ token: TOKEN })]);
  const ports = [await freePort(), await freePort()];
  dir = await mkdtemp(join(tmpdir(), 'chainops-e2e-telegram-'));
  const fleetPath = await writeE2eFleet(dir, {
    urls: { 'eth-1': `http://127.0.0.1:${ports[0]}`, 'eth-2': `http://127.0.0.1:${ports[1]}` },
    onlyNodes: ['eth-1', 'eth-2'],
    telegram: { channel: String(GROUP.id), approvers: [String(BOB.id)], operators: [String(CAROL.id)] },
    healthInterval: '1s',
    set: [
      [['health', 'timeout'], '1s'],
      [['environments', 'prod', 'thresholds', 'max_lag_blocks'], 100_000],
      [['alerts', 'reminder'], 0],
    ],
  });
  const env = {
    REDIS_URL: redis.url, CHAINOPS_CONFIG: fleetPath, CHAINOPS_PREFIX: `e2e-tg-${randomBytes(3).toString('hex')}`, LOG_LEVEL: 'debug',
    TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_URL: tg.url, PORT: String(await freePort()),
  };
  const started = await Promise.allSettled([startBotProcess('bot', env), ...ports.map((p) => startGanache({ port: p, blockTimeSec: 1 }))]);
  for (const r of started.slice(1)) if (r.status === 'fulfilled') eth.push(r.value as GanacheHandle);
  if (started[0]!.status === 'fulfilled') bot = started[0]!.value as BotProcess;
  for (const r of started) if (r.status === 'rejected') throw r.reason;
  worker = await startBotProcess('worker', { ...env, PORT: String(await freePort()), METRICS_PORT: '0' });
});

after(async () => {
  await worker?.stop().catch(() => undefined);
  await bot?.stop().catch(() => undefined);
  await Promise.all(eth.map((g) => g.stop().catch(() => undefined)));
  await tg?.stop().catch(() => undefined);
  await redis?.stop().catch(() => undefined);
  if (dir) await rm(dir, { recursive: true, force: true });
});

const until = <T>(what: string, probe: () => T | undefined, timeoutMs = 30_000) => waitFor(async () => probe(), { what, timeoutMs, intervalMs: 50 });
const replyTo = (updateMessageId: number) => tg.messages.find((m) => m.replyTo === updateMessageId);
const said = () => (tg.lastUpdate().message as { message_id: number }).message_id;
const button = (m: TgStoredMessage, label: RegExp) => m.keyboard?.flat().find((k) => label.test(k.text));

/** Press a button; a dangerous one first asks (Telegram has no confirm dialog): then press "Yes, do it". Returns the query id of the last press. */
async function pressConfirming(user: { id: number }, m: TgStoredMessage, data: string): Promise<string> {
  const before = tg.messages.length;
  const q = tg.press(user, m, data);
  await until('the press answered', () => tg.callsOf('answerCallbackQuery').find((c) => c.body.callback_query_id === q));
  const prompt = await until('the confirmation prompt', () => tg.messages.slice(before).find((x) => x.replyTo === m.messageId && button(x, /Yes, do it/)));
  return tg.press(user, prompt, button(prompt, /Yes, do it/)!.callback_data);
}

describe('Telegram: the real bot and worker through grammY', () => {
  test('/chainops@ChainOpsBot status and the /status short form are answered in the group as replies; a command for another bot is not', async () => {
    tg.userSays(GROUP, CAROL, '/status@SomeOtherBot');
    const other = said();
    tg.userSays(GROUP, CAROL, '/chainops@ChainOpsBot status');
    const asked = said();
    const reply = await until('the status reply', () => replyTo(asked));
    assert.equal(reply.chatId, GROUP.id);
    assert.match(reply.text, /Fleet status/);
    const call = tg.callsOf('sendMessage').find((c) => c.body.reply_parameters?.message_id === asked)!;
    assert.equal(call.body.parse_mode, 'HTML');
    tg.userSays(GROUP, CAROL, '/status');
    const short = said();
    assert.match((await until('the short-form reply', () => replyTo(short))).text, /Fleet status/);
    assert.equal(replyTo(other), undefined, 'addressed to another bot: ignored');
  });

  test('an approval with inline buttons: the requester cannot approve, another user presses Approve and the message is edited in place', async () => {
    tg.userSays(GROUP, CAROL, '/chainops upgrade eth-devnet 7.9.9 --env prod');
    const asked = said();
    const approval = await until('the approval message with buttons', () => tg.messages.find((m) => m.replyTo === asked && m.keyboard?.length));
    assert.match(approval.text, /Approval ap-/);
    const approve = button(approval, /Approve/)!;
    assert.ok(approve && Buffer.byteLength(approve.callback_data) <= 64, JSON.stringify(approval.keyboard));
    assert.match(approve.callback_data, /^c:[A-Za-z0-9_-]{22}$/, 'a stored key, not the action itself');

    await pressConfirming(CAROL, approval, approve.callback_data);
    await until('the refusal to carol', () => tg.messages.find((m) => m.replyTo === approval.messageId && /approve needs the approver role; you are an operator/.test(m.text)));
    // bob has a private chat with the bot, so answers meant only for him go there.
    tg.userSays({ id: BOB.id }, BOB, '/start');
    const start = said();
    await until('the help in bob\'s private chat', () => replyTo(start));
    const q = await pressConfirming(BOB, approval, approve.callback_data);
    await until('the button press answered', () => tg.callsOf('answerCallbackQuery').find((c) => c.body.callback_query_id === q && c.status === 200));
    const edited = await until('the approval edited to approved', () => tg.callsOf('editMessageText').find((c) => c.body.message_id === approval.messageId && c.status === 200 && /approved/i.test(String(c.body.text))));
    assert.equal(edited.body.chat_id, GROUP.id);
    assert.equal(tg.messages.find((m) => m.messageId === approval.messageId)!.keyboard, undefined, 'the buttons are gone');
    const answer = await until('bob\'s answer in private', () => tg.messages.find((m) => m.chatId === BOB.id && /Approved ap-/.test(m.text)));
    assert.equal(answer.replyTo, undefined);
  });

  test('an alert: root with Acknowledge in the group; a 429 on the edit is honoured; pressed → edited in place and answered in its reply chain', async () => {
    await eth[1]!.stop();
    const root = await until('the alert for eth-2', () => tg.messages.find((m) => m.chatId === GROUP.id && !m.replyTo && /FIRING · unreachable on eth-2/.test(m.text)));
    const ack = button(root, /Acknowledge/)!;
    assert.ok(ack);
    tg.failNext('editMessageText', 429, 1, 1);
    tg.press(CAROL, root, ack.callback_data);
    await until('the acknowledged root', () => tg.callsOf('editMessageText').find((c) => c.body.message_id === root.messageId && c.status === 200 && /ACKNOWLEDGED/.test(String(c.body.text))));
    const limited = tg.callsOf('editMessageText').filter((c) => c.status === 429);
    assert.equal(limited.length, 1, 'Telegram said 429 once');
    const retried = tg.callsOf('editMessageText').find((c) => c.body.message_id === root.messageId && c.status === 200 && c.at > limited[0]!.at)!;
    assert.ok(retried.at - limited[0]!.at >= 900, `sent again after retry_after (${retried.at - limited[0]!.at} ms)`);
    const line = await until('the ack line in the reply chain', () => tg.messages.find((m) => m.replyTo === root.messageId && /Acknowledged by telegram:1001/.test(m.text)));
    assert.equal(line.chatId, GROUP.id);
    assert.equal(button(tg.messages.find((m) => m.messageId === root.messageId)!, /Acknowledge/), undefined, 'Acknowledge is spent');
  });

  test('no secret (the bot token) in anything Telegram received in a body or the processes printed', async () => {
    await Promise.all([bot.stop(), worker.stop()]);
    const records = [...telegramStandInRecords(tg), ...logRecords(bot.stdout().split('\n'), 'bot stdout'), ...logRecords(bot.stderr().split('\n'), 'bot stderr'),
      ...logRecords(worker.stdout().split('\n'), 'worker stdout'), ...logRecords(worker.stderr().split('\n'), 'worker stderr')];
    assertNoSecrets({ TOKEN, TOKEN_SECRET_PART: TOKEN.split(':')[1]! }, records, 'Telegram stand-in bodies and bot/worker output');
  });
});
