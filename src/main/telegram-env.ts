import { z } from 'zod';

/** Telegram settings from the environment (kept apart from env.ts so each integration owns its own). */
const telegramEnvSchema = z.object({
  /** Bot token from @BotFather; turns the Telegram adapter on. */
  TELEGRAM_BOT_TOKEN: z.string().regex(/^\d{3,20}:[A-Za-z0-9_-]{20,100}$/, 'use the token @BotFather gave, such as 123456:ABC-DEF…').optional(),
  /** Bot API root (a local Bot API server, a stand-in). @defaultValue https://api.telegram.org */
  TELEGRAM_API_URL: z.string().url().optional(),
  /** `polling` (one bot replica) or `webhook` (several replicas behind a load balancer). @defaultValue polling */
  TELEGRAM_MODE: z.enum(['polling', 'webhook']).default('polling'),
  /** Webhook mode: the secret_token Telegram sends in X-Telegram-Bot-Api-Secret-Token. */
  TELEGRAM_WEBHOOK_SECRET: z.string().regex(/^[A-Za-z0-9_-]{16,256}$/, 'use 16–256 characters of A-Z a-z 0-9 _ -').optional(),
  /** Webhook mode: public https URL ending in /telegram/webhook to register with setWebhook at start. @defaultValue unset (register it yourself) */
  TELEGRAM_WEBHOOK_URL: z.string().url().optional(),
  /** Webhook mode: port of the POST /telegram/webhook listener. @defaultValue 3004 */
  TELEGRAM_WEBHOOK_PORT: z.coerce.number().int().min(0).max(65535).default(3004),
});

export type TelegramEnv = z.infer<typeof telegramEnvSchema>;

export function readTelegramEnv(source: NodeJS.ProcessEnv = process.env): TelegramEnv {
  const parsed = telegramEnvSchema.safeParse(source);
  if (parsed.success) return parsed.data;
  throw new Error(`bad environment:\n${parsed.error.issues.map((i) => `  ✖ ${i.path.join('.')}: ${i.message}`).join('\n')}`);
}
