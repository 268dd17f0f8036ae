import { createHmac, timingSafeEqual } from 'node:crypto';

/** Slack's replay window: requests whose timestamp is further than this from now are refused. */
export const SIGNATURE_WINDOW_SEC = 5 * 60;

export type SignatureVerdict = { ok: true } | { ok: false; reason: string };

/**
 * Slack's v0 request signature: `v0=` + hex HMAC-SHA256(signing secret, `v0:{timestamp}:{raw body}`),
 * with the timestamp within 5 minutes of now in either direction. Bolt checks this too (past only);
 * we check first so a forged, stale or replayed request never reaches Bolt or the core.
 */
export function verifySlackSignature(args: {
  signingSecret: string;
  timestamp: string | undefined;
  signature: string | undefined;
  rawBody: Buffer;
  nowSec: number;
}): SignatureVerdict {
  const { timestamp, signature } = args;
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'missing or malformed X-Slack-Request-Timestamp' };
  if (Math.abs(args.nowSec - Number(timestamp)) > SIGNATURE_WINDOW_SEC) return { ok: false, reason: 'timestamp outside the 5-minute window' };
  if (!signature?.startsWith('v0=')) return { ok: false, reason: 'missing or unknown X-Slack-Signature version' };
  const expected = createHmac('sha256', args.signingSecret)
    .update(`v0:${timestamp}:`)
    .update(args.rawBody)
    .digest();
  const given = Buffer.from(signature.slice(3), 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'signature mismatch' };
  return { ok: true };
}
