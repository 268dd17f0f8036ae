/**
 * An approval nobody decides is closed by the bot itself: within a minute of its expiry the message is
 * edited on the platform (buttons removed, "expired at …"). The real bot process, with Slack (HTTP
 * mode, against the Web API stand-in) and Discord (gateway, against the Discord stand-in) in one
 * process, and prod's approvals expiring after 4 s.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { freePort } from '../../adapters/local/free-port.ts';
import { startRedisServer, type RedisServerHandle } from '../../adapters/local/redis-server.process.ts';
import { waitFor } from '../../adapters/local/wait-for.ts';
import { QueueProbe, startBotProcess, type BotProcess } from '../helpers/bot-process.ts';
import { writeE2eFleet } from '../helpers/e2e-fleet.ts';
import { formBody, postSigned } from '../helpers/slack-sign.ts';
import { chatInputInteraction, startDiscordStandIn, type DiscordStandIn } from '../stand-ins/discord.stand-in.ts';
import { startSlackStandIn, type SlackStandIn } from '../stand-ins/slack-api.stand-in.ts';
import { slashCommandFields, TEAM } from '../stand-ins/slack-payloads.ts';

const BOT_TOKEN = `xoxb-e2e-${randomBytes(12).toString('hex')}`;
const SIGNING_SECRET = randomBytes(16).toString('hex');
const DISCORD_TOKEN = `e2e.${randomBytes(18).toString('base64url')}`;
const CHANNEL = 'C0OPS';
const DISCORD_USER = { userId: '430000000000000003', roleIds: [] };

let redis: RedisServerHandle;
let slack: SlackStandIn;
let si: DiscordStandIn;
let bot: BotProcess;
let probe: QueueProbe;
let dir: string;
let eventsUrl: string;
const prefix = `e2e-expiry-${randomBytes(3).toString('hex')}`;

before(async () => {
  [redis, slack, si] = await Promise.all([startRedisServer({ appendonly: false }), startSlackStandIn({ botToken: BOT_TOKEN }), startDiscordStandIn({ token: DISCORD_TOKEN })]);
  dir = await mkdtemp(join(tmpdir(), 'chainops-e2e-expiry-'));
  const fleetPath = await writeE2eFleet(dir, {
    slack: { channel: CHANNEL, operators: [`${TEAM}/U0CAROL`] },
    discord: { channel: si.ids.channelId, operators: [DISCORD_USER.userId] },
    set: [[['environments', 'prod', 'approval', 'expires'], '4s']],
  });
  const port = await freePort();
  bot = await startBotProcess('bot', {
    REDIS_URL: redis.url, CHAINOPS_CONFIG: fleetPath, CHAINOPS_PREFIX: prefix, LOG_LEVEL: 'debug', PORT: String(port), CHAINOPS_SECRET_LTC_RPC_PASSWORD: 'x'.repeat(16),
    SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: slack.url,
    DISCORD_TOKEN, DISCORD_APPLICATION_ID: si.ids.applicationId, DISCORD_API_URL: si.apiBase, DISCORD_GUILD_ID: si.ids.guildId,
  });
  await si.waitForReady(10_000);
  eventsUrl = `http://127.0.0.1:${port}/slack/events`;
  probe = new QueueProbe(redis.url, prefix);
});

after(async () => {
  await bot?.stop().catch(() => undefined);
  await probe?.close().catch(() => undefined);
  await si?.stop().catch(() => undefined);
  await slack?.stop().catch(() => undefined);
  await redis?.stop().catch(() => undefined);
  if (dir) await rm(dir, { recursive: true, force: true });
});

type SlackButton = { action_id: string; value?: string };
const slackButtons = (blocks: unknown[] | undefined): SlackButton[] =>
  (blocks ?? []).flatMap((b) => ((b as { type: string }).type === 'actions' ? (b as { elements: SlackButton[] }).elements : []));
const discordButtons = (m: Record<string, unknown> | undefined) =>
  ((m?.components as Array<{ components: Array<{ custom_id: string }> }> | undefined) ?? []).flatMap((r) => r.components);
const discordText = (m: { content?: string; embeds?: Array<{ title?: string; description?: string; fields?: Array<{ name: string; value: string }> }> }) =>
  [m.content ?? '', ...(m.embeds ?? []).flatMap((e) => [e.title ?? '', e.description ?? '', ...(e.fields ?? []).map((f) => `${f.name}: ${f.value}`)])].join('\n');

test('an expired approval is edited at Slack and Discord: buttons removed, "expired at …", nothing queued', async () => {
  // Slack: carol asks for a prod upgrade; the approval message is posted with buttons.
  const res = await postSigned(eventsUrl, SIGNING_SECRET, formBody(slashCommandFields({ text: 'upgrade eth-devnet 7.9.3 --env prod', user: 'U0CAROL', channel: CHANNEL, responseUrl: slack.responseUrl('req') })));
  assert.equal(res.status, 200);
  const post = await waitFor(async () => slack.callsOf('chat.postMessage').find((c) => c.status === 200 && slackButtons(c.args.blocks).length > 0), { what: 'the Slack approval message', timeoutMs: 20_000 });
  const slackApproval = slackButtons(post.args.blocks).find((b) => b.action_id === 'approve')!.value!;
  const ts = String(post.response.ts);

  // Discord: the same from a slash command.
  const cmd = si.sendInteraction(chatInputInteraction(si.ids, 'upgrade', [
    { name: 'target', type: 3, value: 'eth-devnet' }, { name: 'version', type: 3, value: '7.9.4' }, { name: 'env', type: 3, value: 'prod' },
  ], DISCORD_USER));
  const discordMessage = await waitFor(async () => {
    const m = si.originalOf(cmd.token);
    return m && discordButtons(m).length > 0 ? m : undefined;
  }, { what: 'the Discord approval message', timeoutMs: 20_000 });
  const discordApproval = discordButtons(discordMessage).find((b) => b.custom_id.includes('approve'))!.custom_id.split(':').at(-1)!;
  assert.notEqual(slackApproval, discordApproval);

  // Nobody decides. Within a minute both messages are edited in place without buttons.
  const slackEdit = await waitFor(async () => slack.callsOf('chat.update').find((c) => c.status === 200 && c.args.text?.includes(slackApproval) && c.args.text.includes('(expired)')), { what: 'chat.update of the expired Slack approval', timeoutMs: 60_000, intervalMs: 200 });
  assert.equal(slackEdit.args.ts, ts, 'the approval message itself is edited');
  assert.deepEqual(slackButtons(slackEdit.args.blocks), [], 'no buttons left at Slack');
  assert.match(JSON.stringify(slackEdit.args.blocks), /Expired at \d{4}-\d\d-\d\d \d\d:\d\d UTC/);

  const discordEdit = await waitFor(async () => {
    const m = si.messages.get(String(discordMessage.id));
    return m && m.edited_timestamp && discordButtons(m).length === 0 ? m : undefined;
  }, { what: 'the Discord approval message to lose its buttons', timeoutMs: 60_000, intervalMs: 200 });
  assert.match(discordText(discordEdit as never), /Expired at \d{4}-\d\d-\d\d \d\d:\d\d UTC/);

  assert.deepEqual(await probe.jobs('upgrade'), [], 'nothing was queued');
  const closed = bot.logs().filter((l) => l.msg === 'closed expired approvals').flatMap((l) => l.approvals as string[]);
  assert.deepEqual(closed.sort(), [slackApproval, discordApproval].sort());
});
