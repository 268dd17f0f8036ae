/**
 * Scan what left the process (bodies recorded by the Slack/Discord stand-ins, captured log lines)
 * for secrets: tokens, signing secrets, RPC passwords, sensitive Terraform outputs. A secret counts
 * as leaked in any of the forms it can take on the way out: as typed, JSON-escaped, URL-encoded,
 * base64 (at any byte offset, so `Basic base64(user:password)` is caught without knowing the user)
 * and hex.
 *
 *   const hits = scanForSecrets({ BOT_TOKEN, RPC_PASSWORD }, [...slackStandInRecords(standIn), ...logRecords(lines)]);
 *   assert.deepEqual(hits, []);        // or: assertNoSecrets(secrets, records)
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import type { Redis } from 'ioredis';

/** One thing that went out: where it went (for the failure message) and what it was. */
export interface ScanRecord {
  where: string;
  value: unknown;
}

/** A secret found in a record: the secret's label (never its value), the form it took, and a masked excerpt. */
export interface SecretHit {
  secret: string;
  form: string;
  where: string;
  excerpt: string;
}

/** Secrets shorter than this are refused: they would match ordinary text by chance. */
const MIN_SECRET_LENGTH = 6;

/** Every form `secret` may take in a body or a log line, each a substring to look for. */
export function secretForms(secret: string): Array<{ form: string; needle: string }> {
  const forms = new Map<string, string>();
  const add = (form: string, needle: string) => {
    if (needle.length >= MIN_SECRET_LENGTH && ![...forms.values()].includes(needle)) forms.set(form, needle);
  };
  add('as is', secret);
  add('JSON-escaped', JSON.stringify(secret).slice(1, -1));
  add('URL-encoded', encodeURIComponent(secret));
  add('form-encoded', new URLSearchParams({ x: secret }).toString().slice(2));
  add('hex', Buffer.from(secret, 'utf8').toString('hex'));
  for (const [i, core] of base64Cores(Buffer.from(secret, 'utf8')).entries()) {
    add(`base64 (offset ${i})`, core);
    add(`base64url (offset ${i})`, core.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return [...forms].map(([form, needle]) => ({ form, needle }));
}

/**
 * The base64 characters that depend only on the secret's bytes, for each of the three alignments it
 * can have inside a longer encoded value (e.g. after `user:` in a Basic auth header).
 */
function base64Cores(bytes: Buffer): string[] {
  const cores: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    const first = Math.ceil((offset * 8) / 6); // characters that mix in the padding bytes before
    const last = Math.floor(((offset + bytes.length) * 8) / 6); // characters made of whole secret bits
    cores.push(encoded.slice(first, last));
  }
  return cores;
}

/** Text of a recorded value: strings as they are, buffers as UTF-8, anything else as JSON. */
function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (value === undefined) return '';
  try {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? '';
  } catch {
    return String(value);
  }
}

/**
 * Every place one of `secrets` (label → value) occurs in `records`. Matching is case-sensitive
 * except for hex. Excerpts mask the secret so the failure message does not leak it again.
 */
export function scanForSecrets(secrets: Record<string, string>, records: Iterable<ScanRecord>): SecretHit[] {
  const needles = Object.entries(secrets).flatMap(([label, value]) => {
    if (value.length < MIN_SECRET_LENGTH) throw new Error(`secret ${label} is shorter than ${MIN_SECRET_LENGTH} characters: too short to scan for reliably`);
    return secretForms(value).map((f) => ({ label, ...f }));
  });
  const hits: SecretHit[] = [];
  for (const record of records) {
    const text = textOf(record.value);
    const lower = text.toLowerCase();
    for (const n of needles) {
      const at = n.form === 'hex' ? lower.indexOf(n.needle) : text.indexOf(n.needle);
      if (at < 0) continue;
      const from = Math.max(0, at - 40);
      const excerpt = `${text.slice(from, at)}<${n.label}>${text.slice(at + n.needle.length, at + n.needle.length + 40)}`;
      hits.push({ secret: n.label, form: n.form, where: record.where, excerpt });
    }
  }
  return hits;
}

/** Fails with every hit listed (secret label, form, where, masked excerpt) if any secret occurs. */
export function assertNoSecrets(secrets: Record<string, string>, records: Iterable<ScanRecord>, what = 'recorded output'): void {
  const list = [...records];
  assert.ok(list.length > 0, `nothing to scan in ${what}: the scan would pass vacuously`);
  const hits = scanForSecrets(secrets, list);
  const lines = hits.slice(0, 20).map((h) => `  ${h.secret} (${h.form}) in ${h.where}: …${h.excerpt}…`);
  assert.equal(hits.length, 0, `secrets found in ${what}:\n${lines.join('\n')}${hits.length > 20 ? `\n  … and ${hits.length - 20} more` : ''}`);
}

/**
 * What the bot sent to the Slack stand-in: every Web API call's arguments and every response_url
 * body. The `token` the stand-in recorded from the Authorization header is left out on purpose:
 * sending the bot token to Slack as a credential is its job.
 */
export function slackStandInRecords(standIn: { calls: Array<{ method: string; args: unknown }> }): ScanRecord[] {
  return standIn.calls.map((c, i) => ({ where: `Slack ${c.method} #${i}`, value: c.args }));
}

/** What the bot sent to the Discord stand-in: request bodies and query strings (not the Authorization header). */
export function discordStandInRecords(standIn: { calls: Array<{ method: string; route: string; body: unknown; query?: unknown }> }): ScanRecord[] {
  return standIn.calls.map((c, i) => ({ where: `Discord ${c.method} ${c.route} #${i}`, value: { body: c.body, query: c.query } }));
}

/**
 * What the bot sent to the Telegram stand-in: every Bot API request body as received. The token
 * travels in the URL path (`/bot<token>/<method>`), which is how Telegram authenticates, so it is left out.
 */
export function telegramStandInRecords(standIn: { calls: Array<{ method: string; raw: string }> }): ScanRecord[] {
  return standIn.calls.map((c, i) => ({ where: `Telegram ${c.method} #${i}`, value: c.raw }));
}

/**
 * What reached the PagerDuty stand-in's Events API, raw bodies. Each carries the routing key by design
 * (that is how PagerDuty picks the service): scan these for every secret except that one.
 */
export function pagerDutyStandInRecords(standIn: { events: Array<{ raw: string; body: { event_action?: string } }> }): ScanRecord[] {
  return standIn.events.map((e, i) => ({ where: `PagerDuty ${e.body.event_action ?? 'event'} #${i}`, value: e.raw }));
}

/** Captured log lines (or console output) as scan records. */
export function logRecords(lines: Iterable<string>, label = 'log'): ScanRecord[] {
  return [...lines].map((line, i) => ({ where: `${label} line ${i + 1}`, value: line }));
}

/** A writable sink for pino (or any stream) that keeps every line, for `logRecords`. */
export function lineSink(): { stream: Writable; lines: string[] } {
  const lines: string[] = [];
  let rest = '';
  const stream = new Writable({
    write(chunk, _enc, done) {
      const parts = (rest + String(chunk)).split('\n');
      rest = parts.pop() ?? '';
      lines.push(...parts.filter((l) => l.length > 0));
      done();
    },
    final(done) {
      if (rest) lines.push(rest);
      done();
    },
  });
  return { stream, lines };
}

/**
 * Everything stored in Redis under `prefix` (all keys when empty): the outbox streams (what reaches
 * chat), the audit log, BullMQ job data, return values and job logs, rollout logs. One record per key.
 */
export async function redisRecords(redis: Redis, prefix = ''): Promise<ScanRecord[]> {
  const records: ScanRecord[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    for (const key of keys) {
      const type = await redis.type(key);
      const value =
        type === 'string' ? await redis.get(key)
          : type === 'list' ? await redis.lrange(key, 0, -1)
            : type === 'hash' ? await redis.hgetall(key)
              : type === 'set' ? await redis.smembers(key)
                : type === 'zset' ? await redis.zrange(key, '0', '-1')
                  : type === 'stream' ? await redis.xrange(key, '-', '+')
                    : null;
      records.push({ where: `redis ${type} ${key}`, value });
    }
  } while (cursor !== '0');
  return records;
}
