import { createHmac } from 'node:crypto';
import type { PageEvent } from '../../src/paging/page-plan.ts';
import type { PageTarget } from '../../src/paging/page-target.schema.ts';
import type { Pager } from '../../src/paging/pager.port.ts';
import { PAGERDUTY_EVENTS_URL, pagerDutyBody } from './pagerduty-events.ts';
import { processRedactor } from '../../src/secrets/process-secrets.ts';

export interface HttpPagerOptions {
  /** Base of the Events API. @defaultValue https://events.pagerduty.com */
  eventsUrl?: string;
  /** Where `CHAINOPS_SECRET_*` names are read. @defaultValue process.env */
  env?: NodeJS.ProcessEnv;
  /** Per request. @defaultValue 10 000 ms */
  timeoutMs?: number;
}

/** An error the outbox and queue understand as "try again after this long". */
class PagerRateLimited extends Error {
  constructor(message: string, readonly retryAfterMs: number) {
    super(message);
  }
}

/**
 * Pager over HTTP: PagerDuty's Events API v2, or a generic webhook that gets the same JSON without
 * the routing key, signed `X-ChainOps-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`.
 * Secrets are read from the environment when sending and never appear in an error.
 */
export class HttpPager implements Pager {
  constructor(private readonly opts: HttpPagerOptions = {}) {}

  async send(target: PageTarget, unredacted: PageEvent): Promise<void> {
    const env = this.opts.env ?? process.env;
    // What a page carries (alert summaries hold RPC errors) leaves the process: redacted like chat.
    // The routing key is added after, or the redactor, which knows it, would blank it.
    const event = processRedactor().redactDeep(unredacted);
    if (target.to === 'pagerduty') {
      const key = secret(env, target.routing_key_env, 'the PagerDuty integration (routing) key');
      const url = new URL('/v2/enqueue', this.opts.eventsUrl ?? PAGERDUTY_EVENTS_URL);
      await this.#post(url, JSON.stringify(pagerDutyBody(key, event)), {}, 'PagerDuty');
      return;
    }
    const signingSecret = secret(env, target.secret_env, 'the webhook signing secret');
    const { routing_key: _none, ...body } = pagerDutyBody('', event);
    const raw = JSON.stringify(body);
    const t = Math.floor(Date.now() / 1000);
    const sig = createHmac('sha256', signingSecret).update(`${t}.${raw}`).digest('hex');
    await this.#post(new URL(target.url), raw, { 'x-chainops-signature': `t=${t},v1=${sig}` }, 'the paging webhook');
  }

  async #post(url: URL, body: string, headers: Record<string, string>, what: string): Promise<void> {
    let res: Response;
    try {
      res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers }, signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000) });
    } catch (err) {
      throw new Error(`${what} did not answer (${(err as Error).name === 'TimeoutError' ? 'timed out' : (err as Error).message}) at ${url.host}`);
    }
    const text = (await res.text().catch(() => '')).slice(0, 300);
    if (res.ok) return;
    if (res.status === 429) {
      const after = Number(res.headers.get('retry-after'));
      throw new PagerRateLimited(`${what} rate-limited the event (HTTP 429)`, Number.isFinite(after) && after > 0 ? after * 1000 : 30_000);
    }
    const why = describe(text);
    throw new Error(`${what} refused the event: HTTP ${res.status}${why ? ` — ${why}` : ''}${res.status === 400 ? ' (check the routing key and the event fields)' : ''}`);
  }
}

function secret(env: NodeJS.ProcessEnv, name: string, what: string): string {
  const v = env[name];
  if (!v) throw new Error(`${name} is not set in the worker's environment — set it to ${what}`);
  return v;
}

/** PagerDuty's error body: `{status, message, errors[]}`; anything else as a short line. */
function describe(text: string): string {
  try {
    const j = JSON.parse(text) as { message?: unknown; errors?: unknown };
    const errors = Array.isArray(j.errors) ? j.errors.filter((e) => typeof e === 'string').join('; ') : '';
    return [typeof j.message === 'string' ? j.message : '', errors].filter(Boolean).join(': ').slice(0, 200);
  } catch {
    return text.replace(/\s+/g, ' ').slice(0, 120);
  }
}
