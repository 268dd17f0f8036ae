/**
 * The slice of Discord's inbound payloads we read, validated with zod at the boundary
 * (https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-object).
 * Unknown fields are ignored, so Discord adding fields never breaks us.
 */
import { z } from 'zod';

const snowflake = z.string().regex(/^\d{1,25}$/);

export const userSlice = z.object({
  id: snowflake,
  username: z.string().optional(),
  global_name: z.string().nullish(),
  bot: z.boolean().optional(),
});

export const memberSlice = z.object({
  user: userSlice.optional(),
  roles: z.array(snowflake).default([]),
  nick: z.string().nullish(),
});

/** Option values arrive typed: string, integer, boolean (number for integer/number options). */
export interface InteractionOption {
  type: number;
  name: string;
  value?: string | number | boolean;
  focused?: boolean;
  options?: InteractionOption[];
}
export const optionSlice: z.ZodType<InteractionOption> = z.lazy(() =>
  z.object({
    type: z.number().int(),
    name: z.string().max(32),
    value: z.union([z.string().max(6000), z.number(), z.boolean()]).optional(),
    focused: z.boolean().optional(),
    options: z.array(optionSlice).max(25).optional(),
  }),
);

/** A row of buttons on a message (type 1), as far as a confirm prompt needs it. */
const actionRowSlice = z.object({
  components: z.array(z.object({ custom_id: z.string().max(100).optional(), label: z.string().max(80).optional(), style: z.number().int().optional() })).max(5).default([]),
});

/** Threads are channels of type 10 (announcement thread), 11 (public) and 12 (private). */
export const THREAD_TYPES = new Set([10, 11, 12]);

const channelSlice = z.object({ id: snowflake, type: z.number().int(), parent_id: snowflake.nullish() });

export const interactionSlice = z.object({
  id: snowflake,
  application_id: snowflake,
  /** 1 ping, 2 application command, 3 message component, 4 autocomplete, 5 modal submit. */
  type: z.number().int(),
  token: z.string().min(1).max(1000),
  guild_id: snowflake.optional(),
  channel_id: snowflake.optional(),
  channel: channelSlice.optional(),
  member: memberSlice.optional(),
  user: userSlice.optional(),
  data: z
    .object({
      name: z.string().optional(),
      options: z.array(optionSlice).optional(),
      custom_id: z.string().max(100).optional(),
      component_type: z.number().int().optional(),
    })
    .optional(),
  message: z
    .object({
      id: snowflake,
      channel_id: snowflake,
      /** Read only to word a confirm prompt; anything unexpected here is dropped, never refused. */
      embeds: z.array(z.object({ title: z.string().max(256).optional() })).max(10).optional().catch(undefined),
      components: z.array(actionRowSlice).max(5).optional().catch(undefined),
    })
    .optional(),
});
export type InteractionSlice = z.infer<typeof interactionSlice>;

/** MESSAGE_CREATE, for the `!chainops` message command typed in threads. */
export const messageCreateSlice = z.object({
  id: snowflake,
  channel_id: snowflake,
  guild_id: snowflake.optional(),
  content: z.string().max(4000),
  author: userSlice,
  member: memberSlice.optional(),
  webhook_id: snowflake.optional(),
});
export type MessageCreateSlice = z.infer<typeof messageCreateSlice>;

/** Who acts: the Discord user id plus the guild role ids the fleet file maps to roles. */
export function actorOf(member: z.infer<typeof memberSlice> | undefined, user: z.infer<typeof userSlice> | undefined) {
  const who = member?.user ?? user;
  if (!who) return undefined;
  const displayName = member?.nick ?? who.global_name ?? who.username;
  return {
    platform: 'discord' as const,
    id: who.id,
    roleIds: member?.roles ?? [],
    ...(displayName ? { displayName } : {}),
  };
}
