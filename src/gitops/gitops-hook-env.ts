import { z } from 'zod';
import type { Conversation, Platform } from '../chat/chat-event.ts';
import type { Fleet } from '../fleet/fleet.schema.ts';

const channelRef = z.string().regex(/^(slack|discord|telegram|console):[A-Za-z0-9_.@:-]{1,100}$/, 'use <platform>:<channel id>, e.g. slack:C0123ABCD, discord:112233445566778899 or telegram:-1001234567890:42 (forum topic)');

/** Settings of the GitOps push announcer (docs/gitops.md), read by the bot role. */
export const gitopsHookEnvSchema = z.object({
  /** Secret of the GitHub webhook (HMAC of the body) or GitLab's token; unset = POST /gitops/webhook answers 503. */
  CHAINOPS_GITOPS_WEBHOOK_SECRET: z.string().min(16, 'use a random secret of at least 16 characters (e.g. `openssl rand -hex 32`)').optional(),
  /** Where previews go: comma-separated `<platform>:<channel id>`. @defaultValue the `prod` environment's channels */
  CHAINOPS_GITOPS_CHANNEL: z
    .string()
    .optional()
    .transform((s, ctx) => {
      const list = (s ?? '').split(',').map((x) => x.trim()).filter(Boolean);
      for (const item of list) {
        const r = channelRef.safeParse(item);
        if (!r.success) ctx.addIssue({ code: 'custom', message: `${item}: ${r.error.issues[0]?.message}` });
      }
      return list;
    }),
  /** How often the bot polls the fleet ref when no webhook arrives; 0 = never. @defaultValue 60000 ms */
  CHAINOPS_FLEET_POLL_MS: z.coerce.number().int().min(0).default(60_000),
  /** Quiet time after a push before the preview is built (a burst yields one). @defaultValue 2000 ms */
  CHAINOPS_GITOPS_DEBOUNCE_MS: z.coerce.number().int().min(0).max(60_000).default(2_000),
});

export type GitopsHookEnv = z.infer<typeof gitopsHookEnvSchema>;

export function readGitopsHookEnv(source: NodeJS.ProcessEnv = process.env): GitopsHookEnv {
  const parsed = gitopsHookEnvSchema.safeParse(source);
  if (parsed.success) return parsed.data;
  throw new Error(`bad environment:\n${parsed.error.issues.map((i) => `  ✖ ${i.path.join('.')}: ${i.message}`).join('\n')}`);
}

/**
 * The conversations previews go to: CHAINOPS_GITOPS_CHANNEL if set, else the `prod` environment's
 * channels in the fleet in force — only on platforms this bot is connected to.
 */
export function previewChannels(configured: string[], fleet: Fleet, connected: readonly Platform[]): Conversation[] {
  const wanted: Conversation[] = configured.length
    ? configured.map((c) => {
      const i = c.indexOf(':');
      return { platform: c.slice(0, i) as Platform, channelId: c.slice(i + 1) };
    })
    : Object.entries(fleet.environments['prod']?.channels ?? {}).flatMap(([platform, id]) => (id === undefined ? [] : [{ platform: platform as Platform, channelId: String(id) }]));
  return wanted.filter((c) => connected.includes(c.platform));
}
