/**
 * The REST half of the Discord stand-in: the routes ChainOps uses, with Discord's documented shapes and
 * errors, every call recorded. A route can be made to answer 429 with `retry_after` (per-route bucket,
 * not global), like Discord's rate limiter.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { messageObject, snowflake, threadChannel, type StandInIds } from './discord-payloads.stand-in.ts';
import { parseMultipart, type FormPart } from './multipart.stand-in.ts';

export interface RecordedCall {
  seq: number;
  method: string;
  /** Path as sent, e.g. `/api/v10/webhooks/1/tok/messages/%40original`. */
  path: string;
  /** Path with `%40` decoded, for readable matching. */
  route: string;
  query: Record<string, string>;
  /** The Authorization header, if any (`Bot …` for bot-token calls; none on interaction webhooks). */
  auth?: string;
  body: any;
  /** The request body exactly as received (secret scans look here). */
  raw: string;
  /** multipart/form-data file parts (`files[n]`); `body` is then the parsed `payload_json`. */
  files?: FormPart[];
  at: number;
}

export interface InteractionRecord {
  channelId: string;
  acked: boolean;
  /** The @original message: the reply to a command, or the message holding a clicked button. */
  originalId?: string;
}

export interface RestState {
  calls: RecordedCall[];
  messages: Map<string, Record<string, unknown>>;
  interactions: Map<string, InteractionRecord>;
  threads: Map<string, Record<string, unknown>>;
  rateLimits: Array<{ re: RegExp; retryAfter: number; left: number }>;
  onCall: Array<() => void>;
  onThreadCreate?: (thread: Record<string, unknown>) => void;
}

type Reply = { status: number; body?: unknown; headers?: Record<string, string> };
const notFound: Reply = { status: 404, body: { message: '404: Not Found', code: 0 } };
const unauthorized: Reply = { status: 401, body: { message: '401: Unauthorized', code: 0 } };

export function handleRest(ids: StandInIds, st: RestState, gatewayUrl: () => string, validToken: string, req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const buf = Buffer.concat(chunks);
    const text = buf.toString('utf8');
    let body: unknown = undefined;
    let files: FormPart[] | undefined;
    try {
      if (/^multipart\/form-data/i.test(String(req.headers['content-type'] ?? ''))) {
        // Discord's uploads: the JSON body in `payload_json`, each file in `files[n]`.
        const parts = parseMultipart(buf, String(req.headers['content-type']));
        const json = parts.find((p) => p.name === 'payload_json');
        body = json ? JSON.parse(json.data.toString('utf8')) : {};
        files = parts.filter((p) => p.name !== 'payload_json');
      } else body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    const call: RecordedCall = {
      seq: st.calls.length, method: req.method ?? 'GET', path: url.pathname, route: url.pathname.replace(/%40/gi, '@'),
      query: Object.fromEntries(url.searchParams), ...(req.headers.authorization ? { auth: req.headers.authorization } : {}), body, raw: text, ...(files ? { files } : {}), at: Date.now(),
    };
    st.calls.push(call);
    st.onCall.splice(0).forEach((f) => f());
    const reply = route(ids, st, gatewayUrl, validToken, call);
    // A 204 carries no body and so no content type (a JSON type with no body breaks clients, as on Discord).
    res.writeHead(reply.status, { ...(reply.body === undefined ? {} : { 'content-type': 'application/json' }), ...reply.headers });
    res.end(reply.body === undefined ? undefined : JSON.stringify(reply.body));
  });
}

/**
 * What an interaction's initial response does to messages, as on Discord: 4/5 create the reply (it
 * becomes @original), 7 edits the message holding the clicked button, 6 and the rest change nothing.
 */
export function applyCallback(ids: StandInIds, st: RestState, rec: InteractionRecord, type: number, data: Record<string, unknown> | undefined): void {
  rec.acked = true;
  if (type === 4 || type === 5) {
    const msg = messageObject(ids, snowflake(), rec.channelId, data ?? {});
    st.messages.set(String(msg.id), msg);
    rec.originalId = String(msg.id);
  } else if (type === 7 && rec.originalId) {
    const prior = st.messages.get(rec.originalId);
    if (prior) st.messages.set(rec.originalId, messageObject(ids, rec.originalId, String(prior.channel_id), data ?? {}, prior));
  }
}

function limited(st: RestState, call: RecordedCall): Reply | undefined {
  const rule = st.rateLimits.find((r) => r.left > 0 && r.re.test(call.route));
  if (!rule) return undefined;
  rule.left--;
  const after = String(rule.retryAfter);
  return {
    status: 429,
    body: { message: 'You are being rate limited.', retry_after: rule.retryAfter, global: false },
    headers: {
      'retry-after': after, 'x-ratelimit-limit': '5', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset-after': after,
      'x-ratelimit-bucket': `bucket-${rule.re.source.length}`, 'x-ratelimit-scope': 'user',
    },
  };
}

/**
 * Every `attachments[i]` of a body with files must name a `files[id]` part, as Discord requires; the
 * message then lists them as attachment objects.
 */
function attachmentsOf(c: RecordedCall): { error?: Reply; attachments?: Array<Record<string, unknown>> } {
  type Wanted = { id: number | string; filename?: string; description?: string };
  const wanted = c.body?.attachments as Wanted[] | undefined;
  if (!c.files?.length) return wanted?.length ? { error: { status: 400, body: { message: 'Invalid Form Body', code: 50035 } } } : {};
  const out: Array<Record<string, unknown>> = [];
  for (const a of wanted ?? c.files.map((_, id): Wanted => ({ id }))) {
    const part = c.files.find((f) => f.name === `files[${a.id}]`);
    if (!part) return { error: { status: 400, body: { message: 'Invalid Form Body', code: 50035, errors: { attachments: { _errors: [{ code: 'ATTACHMENT_NOT_FOUND', message: `no files[${a.id}] part` }] } } } } };
    const id = snowflake();
    out.push({ id, filename: a.filename ?? part.filename, size: part.data.length, content_type: part.contentType, ...(a.description ? { description: a.description } : {}), url: `https://cdn.discordapp.com/attachments/${id}/${a.filename ?? part.filename}` });
  }
  return { attachments: out };
}

function route(ids: StandInIds, st: RestState, gatewayUrl: () => string, validToken: string, c: RecordedCall): Reply {
  const m = (re: RegExp) => re.exec(c.route);
  const files = attachmentsOf(c);
  if (files.error) return files.error;
  if (files.attachments) c.body = { ...c.body, attachments: files.attachments };
  const botAuth = c.auth === `Bot ${validToken}`;
  const rl = limited(st, c);
  if (rl) return rl;
  let p: RegExpExecArray | null;
  if (c.method === 'GET' && c.route === '/api/v10/gateway/bot') {
    if (!botAuth) return unauthorized;
    return { status: 200, body: { url: gatewayUrl(), shards: 1, session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 1 } } };
  }
  if (c.method === 'PUT' && (p = m(/^\/api\/v10\/applications\/(\d+)(?:\/guilds\/(\d+))?\/commands$/))) {
    if (!botAuth) return unauthorized;
    if (p[1] !== ids.applicationId) return { status: 403, body: { message: 'Missing Access', code: 50001 } };
    const cmds = Array.isArray(c.body) ? c.body : [];
    return { status: 200, body: cmds.map((cmd: object) => ({ ...cmd, id: snowflake(), application_id: ids.applicationId, version: snowflake(), ...(p![2] ? { guild_id: p![2] } : {}) })) };
  }
  if (c.method === 'POST' && (p = m(/^\/api\/v10\/interactions\/(\d+)\/([^/]+)\/callback$/))) {
    const rec = st.interactions.get(p[2]!);
    if (!rec) return { status: 404, body: { message: 'Unknown interaction', code: 10062 } };
    if (rec.acked) return { status: 400, body: { message: 'Interaction has already been acknowledged.', code: 40060 } };
    applyCallback(ids, st, rec, Number(c.body?.type), c.body?.data);
    return { status: 204 };
  }
  if ((p = m(/^\/api\/v10\/webhooks\/(\d+)\/([^/]+)(?:\/messages\/([^/]+))?$/))) {
    const rec = st.interactions.get(p[2]!);
    if (!rec || !rec.acked || p[1] !== ids.applicationId) return { status: 404, body: { message: 'Unknown Webhook', code: 10015 } };
    const target = p[3] === '@original' ? rec.originalId : p[3];
    if (c.method === 'POST' && !p[3]) {
      const msg = messageObject(ids, snowflake(), rec.channelId, c.body ?? {});
      st.messages.set(String(msg.id), msg);
      return { status: 200, body: msg };
    }
    const prior = target ? st.messages.get(target) : undefined;
    if (!target || !prior) return { status: 404, body: { message: 'Unknown Message', code: 10008 } };
    if (c.method === 'PATCH') {
      const msg = messageObject(ids, target, String(prior.channel_id), c.body ?? {}, prior);
      st.messages.set(target, msg);
      return { status: 200, body: msg };
    }
    if (c.method === 'DELETE') return st.messages.delete(target), { status: 204 };
    return { status: 200, body: prior };
  }
  if ((p = m(/^\/api\/v10\/channels\/(\d+)\/messages(?:\/(\d+))?(\/threads)?$/))) {
    if (!botAuth) return unauthorized;
    const [, channelId, messageId, threads] = p;
    if (c.method === 'POST' && !messageId) {
      const msg = messageObject(ids, snowflake(), channelId!, c.body ?? {});
      st.messages.set(String(msg.id), msg);
      return { status: 200, body: msg };
    }
    const prior = st.messages.get(messageId!);
    if (!prior || prior.channel_id !== channelId) return { status: 404, body: { message: 'Unknown Message', code: 10008 } };
    if (c.method === 'PATCH' && !threads) {
      const msg = messageObject(ids, messageId!, channelId!, c.body ?? {}, prior);
      st.messages.set(messageId!, msg);
      return { status: 200, body: msg };
    }
    if (c.method === 'POST' && threads) {
      // Discord gives a thread started from a message the message's id; a second start is refused.
      if (st.threads.has(messageId!)) return { status: 400, body: { message: 'A thread has already been created for this message', code: 160004 } };
      const thread = threadChannel(ids, messageId!, channelId!, String(c.body?.name ?? 'thread'));
      st.threads.set(messageId!, thread);
      st.onThreadCreate?.(thread);
      return { status: 201, body: thread };
    }
  }
  return notFound;
}
