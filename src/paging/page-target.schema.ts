import { z } from 'zod';
import { ALERT_SEVERITIES } from '../alerts/alert.types.ts';

/**
 * Where an alert route escalates: PagerDuty (Events API v2) or a generic signed webhook. Secrets are
 * named, never written here: only environment variables starting with CHAINOPS_SECRET_ may be named,
 * so a fleet-file change cannot make ChainOps send some other variable of its environment anywhere.
 */
export const SECRET_ENV_RE = /^CHAINOPS_SECRET_[A-Z0-9_]{1,64}$/;
const secretEnv = z.string().regex(SECRET_ENV_RE, 'name an environment variable starting with CHAINOPS_SECRET_, e.g. CHAINOPS_SECRET_PAGERDUTY_PROD');
const pageAt = z.enum(ALERT_SEVERITIES).default('critical').describe('only alerts of this severity or above page; default critical');

/** https anywhere; plain http only to the machine itself (a local relay, tests). */
const webhookUrl = z
  .string()
  .url()
  .max(500)
  .refine((u) => {
    const url = new URL(u);
    if (url.username || url.password) return false;
    return url.protocol === 'https:' || (url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname));
  }, 'use an https:// URL without credentials (http:// only for 127.0.0.1 or localhost)');

export const pageTarget = z.discriminatedUnion('to', [
  z
    .object({
      to: z.literal('pagerduty'),
      routing_key_env: secretEnv.describe('environment variable holding the PagerDuty integration (routing) key'),
      page_at: pageAt,
    })
    .strict(),
  z
    .object({
      to: z.literal('webhook'),
      url: webhookUrl.describe('where pages are POSTed (JSON in the Events API v2 shape, signed with X-ChainOps-Signature)'),
      secret_env: secretEnv.describe('environment variable holding the HMAC-SHA256 signing secret'),
      page_at: pageAt,
    })
    .strict(),
]);

export type PageTarget = z.infer<typeof pageTarget>;
