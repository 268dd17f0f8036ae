/** `!chainops …` typed in an alert thread (message command), with the Message Content intent turned on. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import type { CommandEvent } from '../../src/chat/chat-event.ts';
import type { Dispatch } from '../../src/chat/dispatch.ts';
import { MemoryStateStore } from '../../adapters/memory/memory-state.store.ts';
import { startDiscord, type DiscordAdapter } from '../../adapters/discord/discord.adapter.ts';
import { snowflake, startDiscordStandIn, type DiscordStandIn } from '../stand-ins/discord.stand-in.ts';

function messageCreate(si: DiscordStandIn, channelId: string, content: string, author: { id: string; bot?: boolean }, roles: string[]) {
  return {
    id: snowflake(), channel_id: channelId, guild_id: si.ids.guildId, content, type: 0, tts: false, pinned: false, flags: 0,
    mention_everyone: false, mentions: [], mention_roles: [], attachments: [], embeds: [], components: [],
    timestamp: new Date().toISOString(), edited_timestamp: null,
    author: { id: author.id, username: 'oncall', discriminator: '0', global_name: 'On Call', avatar: null, ...(author.bot ? { bot: true } : {}) },
    member: { roles, nick: null, avatar: null, joined_at: new Date().toISOString(), deaf: false, mute: false, pending: false, flags: 0 },
  };
}

describe('Discord adapter, !chainops message command', () => {
  const events: CommandEvent[] = [];
  const dispatch: Dispatch = async (event, respond) => {
    if (event.kind !== 'command') return;
    events.push(event);
    await respond({ text: 'acknowledged', blocks: [{ type: 'text', text: 'Alert acknowledged' }] });
  };
  let si: DiscordStandIn;
  let discord: DiscordAdapter;

  before(async () => {
    si = await startDiscordStandIn();
    discord = await startDiscord({
      token: si.token, applicationId: si.ids.applicationId, guildId: si.ids.guildId, apiUrl: si.apiBase, mode: 'gateway', messageCommands: true,
      dispatch, state: new MemoryStateStore(), logger: pino({ level: 'silent' }), autocomplete: async () => [],
    });
  });
  after(async () => {
    await discord?.stop();
    await si?.stop();
  });

  test('asks for GuildMessages and MessageContent only when message commands are on', () => {
    assert.equal(si.identifies[0]?.intents, 1 | 512 | 32768);
  });

  test('typed in an alert thread, it is dispatched with the thread and answered there', async () => {
    const root = await discord.chat.post({ platform: 'discord', channelId: si.ids.channelId }, { text: 'alert', blocks: [{ type: 'header', text: 'eth-3 stalled' }] });
    const detail = await discord.chat.replyInThread(root, { text: 'lag 40 blocks', blocks: [] });
    const threadId = detail.threadId!;
    si.sendDispatch('MESSAGE_CREATE', messageCreate(si, threadId, '!chainops ack al-7k2m', { id: '999999999999999999', bot: true }, []));
    const typed = messageCreate(si, threadId, '!chainops ack al-7k2m', { id: '121212121212121212' }, ['343434343434343434']);
    si.sendDispatch('MESSAGE_CREATE', typed);
    const reply = await si.waitForCall((c) => c.method === 'POST' && c.route === `/api/v10/channels/${threadId}/messages` && c.body.message_reference !== undefined);
    assert.equal(reply.body.message_reference.message_id, typed.id);
    assert.equal(reply.body.embeds[0].description, 'Alert acknowledged');
    assert.equal(events.length, 1, 'bots are ignored');
    const ev = events[0]!;
    assert.equal(ev.text, '!chainops ack al-7k2m');
    assert.deepEqual(ev.conversation, { platform: 'discord', channelId: si.ids.channelId, threadId });
    assert.deepEqual(ev.actor, { platform: 'discord', id: '121212121212121212', roleIds: ['343434343434343434'], displayName: 'On Call' });
  });
});
