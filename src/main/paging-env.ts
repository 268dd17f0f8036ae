import { z } from 'zod';

/**
 * Paging settings from the environment (kept apart from env.ts so each integration owns its own).
 * The routing keys and webhook secrets themselves are named by the fleet file (`CHAINOPS_SECRET_*`).
 */
const pagingEnvSchema = z.object({
  /** Base URL of PagerDuty's Events API (a proxy, a stand-in). @defaultValue https://events.pagerduty.com */
  PAGERDUTY_EVENTS_URL: z.string().url().optional(),
  /** Signing secret of the PagerDuty v3 webhook subscription; set it to sync acks and resolves back. */
  PAGERDUTY_WEBHOOK_SECRET: z.string().min(8, 'use the secret PagerDuty shows for the webhook subscription').optional(),
  /** Port of the bot's POST /pagerduty/webhook listener (0 picks a free one). @defaultValue 3003 */
  PAGERDUTY_WEBHOOK_PORT: z.coerce.number().int().min(0).max(65535).default(3003),
});

export type PagingEnv = z.infer<typeof pagingEnvSchema>;

export function readPagingEnv(source: NodeJS.ProcessEnv = process.env): PagingEnv {
  const parsed = pagingEnvSchema.safeParse(source);
  if (parsed.success) return parsed.data;
  throw new Error(`bad environment:\n${parsed.error.issues.map((i) => `  ✖ ${i.path.join('.')}: ${i.message}`).join('\n')}`);
}
