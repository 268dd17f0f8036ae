import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/** Headers as node gives them (lower-case names). */
export type Headers = Record<string, string | string[] | undefined>;

/** What one webhook delivery means, decided before anything else happens. */
export type PushVerdict =
  /** Signature or token wrong or missing, or not a GitHub/GitLab delivery: 401, nothing else. */
  | { kind: 'refused'; reason: string }
  /** GitHub's `ping` on creating the hook: 200. */
  | { kind: 'ping'; provider: 'github' }
  /** Authentic, but nothing to do (another event, another ref, a body we cannot read): 202. */
  | { kind: 'ignored'; provider: Provider; reason: string }
  /** A push to the ref the fleet source follows: 202, and the announcer looks at the source. */
  | { kind: 'push'; provider: Provider; ref: string; after?: string };

export type Provider = 'github' | 'gitlab';

/** The slice of a push payload we read; the fleet file itself is always fetched from the repository, never taken from the body. */
const pushBody = z.object({
  ref: z.string().max(300),
  after: z.string().max(64).optional(),
  checkout_sha: z.string().max(64).nullable().optional(),
});

function header(headers: Headers, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Constant-time equality of two strings (lengths may differ: compared as digests). */
function sameSecret(a: string, b: string): boolean {
  const x = createHmac('sha256', 'chainops-compare').update(a).digest();
  const y = createHmac('sha256', 'chainops-compare').update(b).digest();
  return timingSafeEqual(x, y);
}

/** GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`. */
export function verifyGithubSignature(secret: string, raw: Buffer, signature: string | undefined): boolean {
  if (!signature || !/^sha256=[0-9a-f]{64}$/i.test(signature)) return false;
  const given = Buffer.from(signature.slice(7).toLowerCase(), 'hex');
  const want = createHmac('sha256', secret).update(raw).digest();
  return given.length === want.length && timingSafeEqual(given, want);
}

/** GitLab: `X-Gitlab-Token` carries the secret itself. */
export function verifyGitlabToken(secret: string, token: string | undefined): boolean {
  return token !== undefined && token.length > 0 && sameSecret(secret, token);
}

/** GitHub may send `application/x-www-form-urlencoded` with the JSON in a `payload` field (the signature covers the form). */
function jsonOf(text: string): string {
  return text.startsWith('payload=') ? (new URLSearchParams(text).get('payload') ?? '') : text;
}

/** Does a pushed ref (`refs/heads/main`, `refs/tags/v1`) name the ref the fleet source follows (`main`, `refs/heads/main`)? */
export function refMatches(pushed: string, followed: string): boolean {
  if (followed.startsWith('refs/')) return pushed === followed;
  return pushed === `refs/heads/${followed}` || pushed === `refs/tags/${followed}`;
}

/**
 * Read one webhook delivery: authenticate it first (GitHub HMAC over the raw body, or GitLab's token,
 * both compared in constant time), then decide whether it is a push to `followedRef`. Pure: no I/O.
 */
export function readPushWebhook(input: { headers: Headers; raw: Buffer; secret: string; followedRef: string }): PushVerdict {
  const { headers, raw, secret } = input;
  const ghEvent = header(headers, 'x-github-event');
  const glEvent = header(headers, 'x-gitlab-event');
  let provider: Provider;
  if (header(headers, 'x-hub-signature-256') !== undefined || ghEvent !== undefined) {
    if (!verifyGithubSignature(secret, raw, header(headers, 'x-hub-signature-256'))) return { kind: 'refused', reason: 'bad or missing X-Hub-Signature-256' };
    provider = 'github';
  } else if (header(headers, 'x-gitlab-token') !== undefined || glEvent !== undefined) {
    if (!verifyGitlabToken(secret, header(headers, 'x-gitlab-token'))) return { kind: 'refused', reason: 'bad or missing X-Gitlab-Token' };
    provider = 'gitlab';
  } else {
    return { kind: 'refused', reason: 'no X-Hub-Signature-256 or X-Gitlab-Token' };
  }
  if (provider === 'github' && ghEvent === 'ping') return { kind: 'ping', provider };
  const event = provider === 'github' ? ghEvent : glEvent;
  if (event !== (provider === 'github' ? 'push' : 'Push Hook')) return { kind: 'ignored', provider, reason: `event ${event ?? '(none)'} is not a push` };
  let body: z.infer<typeof pushBody>;
  try {
    const parsed = pushBody.safeParse(JSON.parse(jsonOf(raw.toString('utf8'))));
    if (!parsed.success) return { kind: 'ignored', provider, reason: 'push payload without a ref' };
    body = parsed.data;
  } catch {
    return { kind: 'ignored', provider, reason: 'push payload is not JSON' };
  }
  if (!refMatches(body.ref, input.followedRef)) return { kind: 'ignored', provider, reason: `push to ${body.ref}, not ${input.followedRef}` };
  const after = provider === 'github' ? body.after : (body.checkout_sha ?? body.after);
  return { kind: 'push', provider, ref: body.ref, ...(after && /^[0-9a-f]{7,64}$/i.test(after) ? { after } : {}) };
}
