import { z } from 'zod';
import { parseRedisUrl } from '../../adapters/redis/redis-url.ts';

/** The parser's own message (it lists the accepted forms and never repeats the password). */
function redisUrlIssue(url: string, ctx: z.RefinementCtx): void {
  try {
    parseRedisUrl(url);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message.replace(/^REDIS_URL /, '') });
  }
}

/** Process configuration from the environment. Secrets live only here, never in the fleet file. */
export const envSchema = z.object({
  /** Fleet file path. @defaultValue ./chainops.yaml */
  CHAINOPS_CONFIG: z.string().min(1).default('chainops.yaml'),
  /** Redis (BullMQ, state, locks, audit): redis://, rediss://, redis+sentinel://…/<master>, redis+cluster://…. Required for bot, worker and all. */
  REDIS_URL: z.string().superRefine(redisUrlIssue).optional(),
  /** PEM file of the CA that signed a `rediss…` server's certificate (managed Redis). @defaultValue the system CAs */
  REDIS_TLS_CA_FILE: z.string().min(1).optional(),
  /** Password of the sentinels themselves (`requirepass` in sentinel.conf), for redis+sentinel://. @defaultValue none */
  REDIS_SENTINEL_PASSWORD: z.string().min(1).optional(),
  /** A worker whose blocking Redis connection has not been ready this long is recreated. @defaultValue 10 000 ms */
  CHAINOPS_WORKER_STUCK_MS: z.coerce.number().int().min(1_000, 'use at least 1000 (ms)').max(600_000, 'use at most 600000 (ms)').optional(),
  /** Key prefix, so several ChainOps installs can share one Redis. @defaultValue chainops */
  CHAINOPS_PREFIX: z.string().regex(/^[a-z0-9-]{1,32}$/, 'use lowercase letters, digits and dashes').default('chainops'),
  /** pino level. @defaultValue info */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** HTTP port for Slack events, Discord interactions, /healthz. @defaultValue 3000 */
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Jobs processed at once per queue by one worker process. @defaultValue 4 */
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(4),
  /** Private key ansible-playbook uses for the nodes' SSH (mounted secret). @defaultValue the user's SSH agent / keys */
  CHAINOPS_SSH_KEY_FILE: z.string().min(1).optional(),
  /** Lease of the env/group lock and node leases a running job holds (renewed every third). @defaultValue 30 000 ms */
  CHAINOPS_LEASE_MS: z.coerce.number().int().min(1_000, 'use at least 1000 (ms)').max(600_000, 'use at most 600000 (ms)').default(30_000),
  /** BullMQ job lock: a dead worker's job moves to another after about this long. @defaultValue 15 000 ms (jobs/worker-host.ts) */
  CHAINOPS_JOB_LOCK_MS: z.coerce.number().int().min(1_000, 'use at least 1000 (ms)').max(600_000, 'use at most 600000 (ms)').optional(),
  /** The console user (must be listed under roles.*.console). @defaultValue $USER */
  CHAINOPS_CONSOLE_USER: z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/).optional(),
  SLACK_BOT_TOKEN: z.string().optional(),
  SLACK_SIGNING_SECRET: z.string().optional(),
  SLACK_APP_TOKEN: z.string().optional(),
  /** Slack Web API base URL (proxies, tests). @defaultValue https://slack.com/api/ */
  SLACK_API_URL: z.string().url().optional(),
  DISCORD_TOKEN: z.string().optional(),
  DISCORD_APPLICATION_ID: z.string().regex(/^\d{5,25}$/).optional(),
  DISCORD_GUILD_ID: z.string().regex(/^\d{5,25}$/).optional(),
  /** Discord REST base URL (tests). @defaultValue https://discord.com/api */
  DISCORD_API_URL: z.string().url().optional(),
  /** `http` for the interactions endpoint instead of the gateway. @defaultValue gateway */
  DISCORD_MODE: z.enum(['gateway', 'http']).default('gateway'),
  DISCORD_PUBLIC_KEY: z.string().regex(/^[0-9a-f]{64}$/).optional(),
});

export type Env = z.infer<typeof envSchema>;

/** Parse the environment; a bad value names the variable and what fits. */
export function readEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const parsed = envSchema.safeParse(source);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((i) => `  ✖ ${i.path.join('.')}: ${i.message}`);
  throw new Error(`bad environment:\n${lines.join('\n')}`);
}
