/**
 * Discord payload shapes the stand-in sends and returns, following the documented objects
 * (https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-object and
 * resources/message, resources/guild). discord.js reads many of these fields, so they are complete.
 */
import { randomBytes } from 'node:crypto';

const DISCORD_EPOCH = 1_420_070_400_000n;
let increment = 0n;

/** A snowflake: milliseconds since the Discord epoch in the high bits, so ids sort by time like real ones. */
export function snowflake(): string {
  increment = (increment + 1n) & 0xfffn;
  return (((BigInt(Date.now()) - DISCORD_EPOCH) << 22n) | increment).toString();
}

export interface StandInIds {
  applicationId: string;
  guildId: string;
  channelId: string;
  botUserId: string;
}

export function botUser(ids: StandInIds) {
  return { id: ids.botUserId, username: 'ChainOps', discriminator: '0000', global_name: null, avatar: null, bot: true, flags: 0 };
}

export function textChannel(ids: StandInIds, id = ids.channelId, name = 'ops') {
  return { id, type: 0, guild_id: ids.guildId, name, position: 0, permission_overwrites: [], parent_id: null, topic: null, nsfw: false, last_message_id: null, rate_limit_per_user: 0, flags: 0 };
}

export function threadChannel(ids: StandInIds, id: string, parentId: string, name: string) {
  return {
    id, type: 11, guild_id: ids.guildId, parent_id: parentId, owner_id: ids.botUserId, name, last_message_id: null, rate_limit_per_user: 0,
    message_count: 0, member_count: 1, flags: 0, total_message_sent: 0,
    thread_metadata: { archived: false, auto_archive_duration: 1440, archive_timestamp: new Date().toISOString(), locked: false, create_timestamp: new Date().toISOString() },
  };
}

/** GUILD_CREATE for the one guild; with it cached, discord.js knows channels and threads. */
export function guildCreate(ids: StandInIds) {
  return {
    id: ids.guildId, name: 'Fleet Ops', icon: null, splash: null, discovery_splash: null, banner: null, description: null, owner_id: '100000000000000001',
    afk_channel_id: null, afk_timeout: 300, widget_enabled: false, verification_level: 0, default_message_notifications: 0, explicit_content_filter: 0,
    mfa_level: 0, application_id: null, system_channel_id: null, system_channel_flags: 0, rules_channel_id: null, public_updates_channel_id: null,
    safety_alerts_channel_id: null, max_members: 500000, max_presences: null, max_video_channel_users: 25, vanity_url_code: null, premium_tier: 0,
    premium_subscription_count: 0, preferred_locale: 'en-US', nsfw_level: 0, premium_progress_bar_enabled: false, features: [],
    joined_at: new Date().toISOString(), large: false, unavailable: false, member_count: 2,
    roles: [{ id: ids.guildId, name: '@everyone', permissions: '0', position: 0, color: 0, hoist: false, managed: false, mentionable: false, flags: 0 }],
    channels: [textChannel(ids)], threads: [], members: [], presences: [], voice_states: [], emojis: [], stickers: [], stage_instances: [],
    guild_scheduled_events: [], soundboard_sounds: [],
  };
}

/** A message object as REST returns it and as component interactions carry it. */
export function messageObject(ids: StandInIds, id: string, channelId: string, body: Record<string, unknown>, prior?: Record<string, unknown>) {
  const base = prior ?? {
    id, channel_id: channelId, guild_id: ids.guildId, author: botUser(ids), content: '', embeds: [], components: [], attachments: [],
    mentions: [], mention_roles: [], mention_everyone: false, pinned: false, tts: false, type: 0, flags: 0,
    timestamp: new Date().toISOString(), edited_timestamp: null,
  };
  const next: Record<string, unknown> = { ...base };
  for (const key of ['content', 'embeds', 'components', 'flags', 'attachments'] as const) if (body[key] !== undefined) next[key] = body[key];
  if (prior) next.edited_timestamp = new Date().toISOString();
  return next;
}

export interface InteractionUser {
  userId: string;
  roleIds?: string[];
  username?: string;
}

export interface InteractionPlace {
  channelId?: string;
  /** When the interaction happens inside a thread: the thread channel id and its parent. */
  thread?: { id: string; parentId: string };
}

function member(who: InteractionUser) {
  return {
    user: { id: who.userId, username: who.username ?? `user${who.userId.slice(-4)}`, discriminator: '0', global_name: null, avatar: null },
    roles: who.roleIds ?? [], nick: null, avatar: null, joined_at: new Date().toISOString(), premium_since: null,
    deaf: false, mute: false, pending: false, flags: 0, permissions: '2248473465835073', communication_disabled_until: null,
  };
}

function envelope(ids: StandInIds, type: number, who: InteractionUser, place: InteractionPlace) {
  const channel = place.thread
    ? { ...threadChannel(ids, place.thread.id, place.thread.parentId, 'thread') }
    : textChannel(ids, place.channelId ?? ids.channelId);
  return {
    id: snowflake(), application_id: ids.applicationId, type, token: `tok-${randomBytes(24).toString('base64url')}`, version: 1,
    guild_id: ids.guildId, guild: { id: ids.guildId, locale: 'en-US', features: [] }, channel_id: channel.id, channel,
    member: member(who), app_permissions: '2248473465835073', locale: 'en-US', guild_locale: 'en-US',
    entitlements: [], authorizing_integration_owners: { '0': ids.guildId }, context: 0, attachment_size_limit: 26_214_400,
  };
}

export interface OptionValue {
  name: string;
  /** 3 string, 4 integer, 5 boolean. */
  type: number;
  value: string | number | boolean;
  focused?: boolean;
}

/** A `/chainops <sub> …` chat-input interaction (type 2). */
export function chatInputInteraction(ids: StandInIds, sub: string, options: OptionValue[], who: InteractionUser, place: InteractionPlace = {}) {
  return {
    ...envelope(ids, 2, who, place),
    data: { id: '200000000000000001', name: 'chainops', type: 1, guild_id: ids.guildId, options: [{ type: 1, name: sub, options }] },
  };
}

/** An autocomplete interaction (type 4): the option being typed has `focused: true`. */
export function autocompleteInteraction(ids: StandInIds, sub: string, options: OptionValue[], who: InteractionUser, place: InteractionPlace = {}) {
  return { ...chatInputInteraction(ids, sub, options, who, place), type: 4 };
}

/** A button click (type 3) on `message` (a message object the stand-in handed out). */
export function componentInteraction(ids: StandInIds, customId: string, message: Record<string, unknown>, who: InteractionUser, place: InteractionPlace = {}) {
  return {
    ...envelope(ids, 3, who, { channelId: String(message.channel_id), ...place }),
    data: { custom_id: customId, component_type: 2 },
    message,
  };
}
