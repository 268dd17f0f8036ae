import { createHmac } from 'node:crypto';

/**
 * Sign a request exactly as Slack does: `X-Slack-Signature: v0=` + hex HMAC-SHA256 of
 * `v0:{timestamp}:{raw body}` with the app's signing secret, plus `X-Slack-Request-Timestamp`.
 */
export function slackSignature(signingSecret: string, rawBody: string, timestampSec: number): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestampSec}:${rawBody}`).digest('hex')}`;
}

export interface SignedPostOptions {
  /** Seconds since the epoch. @defaultValue now */
  timestamp?: number;
  /** Override the signature (forgery tests). */
  signature?: string;
  /** Extra headers, e.g. `{ 'X-Slack-Retry-Num': '1' }`. */
  headers?: Record<string, string>;
}

/** The raw body Slack sends for slash commands: form fields. */
export function formBody(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

/** The raw body Slack sends for interactivity (clicks, modal submits): `payload=<json>` form field. */
export function interactiveBody(payload: unknown): string {
  return formBody({ payload: JSON.stringify(payload) });
}

/** POST a signed request the way Slack does. Form bodies use Slack's exact content type (no charset). */
export async function postSigned(url: string, signingSecret: string, rawBody: string, opts: SignedPostOptions = {}): Promise<Response> {
  const ts = opts.timestamp ?? Math.floor(Date.now() / 1000);
  const isJson = rawBody.startsWith('{');
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': isJson ? 'application/json' : 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(ts),
      'x-slack-signature': opts.signature ?? slackSignature(signingSecret, rawBody, ts),
      'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
      ...opts.headers,
    },
    body: rawBody,
  });
}
