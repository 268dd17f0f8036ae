import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * PagerDuty webhook v3 signatures: `X-PagerDuty-Signature` holds one or more comma-separated
 * `v1=<hex HMAC-SHA256 of the raw body>` (several while a secret is being rotated); one match is enough.
 */
export function verifyPagerDutySignature(secret: string, rawBody: Buffer, header: string | undefined): boolean {
  if (!header) return false;
  const want = createHmac('sha256', secret).update(rawBody).digest();
  return header.split(',').some((part) => {
    const m = /^\s*v1=([0-9a-f]{64})\s*$/.exec(part);
    return m ? timingSafeEqual(Buffer.from(m[1]!, 'hex'), want) : false;
  });
}

/** The header value PagerDuty would send for `rawBody` (for stand-ins and tests). */
export function pagerDutySignature(secret: string, rawBody: string | Buffer): string {
  return `v1=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}
