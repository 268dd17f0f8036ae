// Forged, stale, tampered and replayed requests for chaos item 4, drawn from a seeded PRNG. Each
// body asks for something that would queue a job if it got through (a dev upgrade needs no
// approval), so "none queued" is a real check.
import { createHmac, randomUUID } from 'node:crypto';
import { formBody, interactiveBody, slackSignature } from '../../helpers/slack-sign.ts';
import { appMention, blockActions, eventEnvelope, slashCommandFields } from '../../stand-ins/slack-payloads.ts';
import { prng } from '../../../bench/command-corpus.ts';

export interface ForgedRequest {
  kind: string;
  body: string;
  headers: Record<string, string>;
}

/** Text that would queue a job if it were ever dispatched. */
export const JOB_TEXT = 'upgrade ltc-regtest 0.21.3 --env dev';

const nowSec = () => Math.floor(Date.now() / 1000);
const contentType = (body: string) => (body.startsWith('{') ? 'application/json' : 'application/x-www-form-urlencoded');

/** One Slack request body of a random kind (slash command, click, mention), answering to `responseUrl`. */
function slackBody(pick: <T>(xs: readonly T[]) => T, responseUrl: string): string {
  const kind = pick(['slash', 'slash', 'click', 'mention']);
  if (kind === 'slash') return formBody(slashCommandFields({ text: JOB_TEXT, responseUrl, trigger: `${Date.now()}.${randomUUID()}` }));
  if (kind === 'click') return interactiveBody(blockActions({ actionId: 'approve', value: 'ap-00000001', messageTs: '1700000000.000100', responseUrl }));
  return JSON.stringify(eventEnvelope(appMention({ text: `<@U0CHAINOPS> ${JOB_TEXT}`, ts: `${nowSec()}.${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}` })));
}

const signed = (secret: string, body: string, ts: number): Record<string, string> => ({
  'content-type': contentType(body),
  'x-slack-request-timestamp': String(ts),
  'x-slack-signature': slackSignature(secret, body, ts),
});

/**
 * `count` Slack requests that must all be refused with 401: wrong secret, tampered body, stale or
 * future timestamp, missing or malformed headers. (Replays are built by the test from genuine
 * requests it sends first.)
 */
export function forgedSlackRequests(count: number, secret: string, responseUrl: (id: string) => string, seed = 0x5eed): ForgedRequest[] {
  const r = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const out: ForgedRequest[] = [];
  for (let i = 0; i < count; i++) {
    const body = slackBody(pick, responseUrl(`forged-${i}`));
    const ts = nowSec();
    const make: Array<[string, () => ForgedRequest]> = [
      ['wrong secret', () => ({ kind: '', body, headers: signed(`${secret}x`, body, ts) })],
      ['empty secret', () => ({ kind: '', body, headers: signed('', body, ts) })],
      ['tampered body', () => {
        const other = body.replace(/ltc-regtest|approve/, (m) => (m === 'approve' ? 'reject' : 'eth-devnet'));
        return { kind: '', body: other === body ? `${body}&x=1` : other, headers: signed(secret, body, ts) };
      }],
      ['appended field', () => ({ kind: '', body: `${body}${body.startsWith('{') ? ' ' : '&text=freeze+prod'}`, headers: signed(secret, body, ts) })],
      ['stale (6 min)', () => ({ kind: '', body, headers: signed(secret, body, ts - 301 - Math.floor(r() * 3600)) })],
      ['stale (1 day)', () => ({ kind: '', body, headers: signed(secret, body, ts - 86_400) })],
      ['future (6 min)', () => ({ kind: '', body, headers: signed(secret, body, ts + 301 + Math.floor(r() * 3600)) })],
      ['timestamp of another request', () => ({ kind: '', body, headers: { ...signed(secret, body, ts), 'x-slack-request-timestamp': String(ts - 1) } })],
      ['no signature', () => {
        const h = signed(secret, body, ts);
        delete h['x-slack-signature'];
        return { kind: '', body, headers: h };
      }],
      ['no timestamp', () => {
        const h = signed(secret, body, ts);
        delete h['x-slack-request-timestamp'];
        return { kind: '', body, headers: h };
      }],
      ['v1 signature', () => ({ kind: '', body, headers: { ...signed(secret, body, ts), 'x-slack-signature': signed(secret, body, ts)['x-slack-signature']!.replace('v0=', 'v1=') } })],
      ['truncated signature', () => ({ kind: '', body, headers: { ...signed(secret, body, ts), 'x-slack-signature': signed(secret, body, ts)['x-slack-signature']!.slice(0, 40) } })],
      ['non-hex signature', () => ({ kind: '', body, headers: { ...signed(secret, body, ts), 'x-slack-signature': `v0=${'zz'.repeat(32)}` } })],
      ['timestamp not a number', () => ({ kind: '', body, headers: { ...signed(secret, body, ts), 'x-slack-request-timestamp': `${ts}abc` } })],
      ['negative timestamp', () => ({ kind: '', body, headers: signed(secret, body, -ts) })],
      ['signature of the empty body', () => ({ kind: '', body, headers: signed(secret, '', ts) })],
      ['signature without the timestamp', () => ({ kind: '', body, headers: { ...signed(secret, body, ts), 'x-slack-signature': `v0=${createHmac('sha256', secret).update(body).digest('hex')}` } })],
      ['signature of v0:body (no timestamp part)', () => ({ kind: '', body, headers: { ...signed(secret, body, ts), 'x-slack-signature': `v0=${createHmac('sha256', secret).update(`v0::${body}`).digest('hex')}` } })],
    ];
    const [kind, build] = pick(make);
    out.push({ ...build(), kind });
  }
  return out;
}

/** A genuine, correctly signed Slack request that asks for nothing to be queued (help). */
export function genuineSlackRequest(secret: string, responseUrl: string): ForgedRequest {
  const body = formBody(slashCommandFields({ text: 'help', responseUrl, trigger: `${Date.now()}.${randomUUID()}` }));
  return { kind: 'genuine', body, headers: signed(secret, body, nowSec()) };
}
