import { z } from 'zod';

/** Who may act where, beyond the global roles: channel rules per environment and linked identities. */

export const channelRestriction = z
  .object({
    commands: z.array(z.string().regex(/^[a-z]+$/, 'use a command verb such as upgrade, provision, run')).min(1).describe('command verbs (upgrade, provision, decommission, run, rollout, lock, …)'),
    slack: z.array(z.string().min(1)).default([]).describe('Slack channel ids these commands may come from'),
    discord: z.array(z.string().min(1)).default([]).describe('Discord channel ids'),
    console: z.array(z.string().min(1)).default([]).describe('console channel names'),
    telegram: z.array(z.string().regex(/^-?\d{1,20}(:\d{1,12})?$/, 'use a Telegram chat id')).default([]).describe('Telegram chat ids'),
  })
  .strict();

/** One person's ids on every platform: they count once toward N approvals, and none of them may approve their own request. */
export const identity = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/, 'use a short person name such as alice'),
    slack: z.array(z.string().regex(/^[TE][A-Z0-9]+\/[UW][A-Z0-9]+$/, 'use TEAM_ID/USER_ID such as T0123/U0456')).default([]),
    discord: z.array(z.string().regex(/^\d{5,25}$/, 'use a Discord user id (digits)')).default([]),
    console: z.array(z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, 'use a console user name')).default([]),
    telegram: z.array(z.string().regex(/^\d{1,20}$/, 'use a Telegram user id (digits)')).default([]),
  })
  .strict();
