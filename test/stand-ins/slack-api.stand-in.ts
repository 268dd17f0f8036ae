import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkBlocks } from './slack-blocks.check.ts';
import { SlackSocketStandIn } from './slack-socket.stand-in.ts';
import { SlackFilesStandIn, type StoredFile } from './slack-files.stand-in.ts';

export type { StoredFile };

/**
 * A loopback stand-in for Slack's Web API (docs.slack.dev/reference/methods), for tests only.
 * Requests arrive as Slack documents them: form-encoded or JSON, token in `Authorization: Bearer`
 * (or a `token` field), `blocks`/`view` as JSON strings inside form data. It records every call,
 * keeps the messages it was asked to post/edit, and can be told to fail the next calls.
 */

export interface SlackCall {
  method: string;
  /** Arguments with JSON-string fields (blocks, view, attachments, metadata) parsed. */
  args: Record<string, any>;
  token?: string;
  contentType: string;
  /** The request body exactly as received (secret scans look here: `args` drops the `token` field). */
  raw: string;
  at: number;
  status: number;
  response: Record<string, unknown>;
}

export interface StoredMessage {
  channel: string;
  ts: string;
  thread_ts?: string;
  text?: string;
  blocks?: unknown[];
  /** Earlier versions, oldest first (every chat.update pushes the previous one). */
  edits: Array<{ text?: string; blocks?: unknown[] }>;
}

export interface SlackStandInOptions {
  /** Accept only this bot token. @defaultValue any `xoxb-` token */
  botToken?: string;
  /** Accept only this app token for apps.connections.open. @defaultValue any `xapp-` token */
  appToken?: string;
  teamId?: string;
  botUserId?: string;
}

export interface SlackStandIn {
  /** Base for SLACK_API_URL, ends with `/api/`. */
  url: string;
  /** http://127.0.0.1:PORT */
  origin: string;
  calls: SlackCall[];
  messages: StoredMessage[];
  /** Files by the order their upload URL was asked for. */
  files: StoredFile[];
  socket: SlackSocketStandIn;
  /** A response_url pointing at this stand-in (answers are recorded as method `response_url`). */
  responseUrl(id?: string): string;
  waitForCall(method: string, predicate?: (call: SlackCall) => boolean, timeoutMs?: number): Promise<SlackCall>;
  callsOf(method: string): SlackCall[];
  /** Answer the next `n` calls of `method` (matching `match`) with `ok:false, error` or HTTP 429. */
  failNext(method: string, error: string | 429, n?: number, opts?: { retryAfterSec?: number; match?: (args: Record<string, any>) => boolean }): void;
  stop(): Promise<void>;
}

interface FailRule { method: string; error: string | 429; left: number; retryAfterSec: number; match?: (args: Record<string, any>) => boolean }

const JSON_FIELDS = ['blocks', 'attachments', 'view', 'metadata', 'files'];

export async function startSlackStandIn(opts: SlackStandInOptions = {}): Promise<SlackStandIn> {
  const teamId = opts.teamId ?? 'T0STANDIN';
  const botUserId = opts.botUserId ?? 'U0CHAINOPS';
  const calls: SlackCall[] = [];
  const messages: StoredMessage[] = [];
  const rules: FailRule[] = [];
  let seq = 0;
  const nextTs = () => `${Math.floor(Date.now() / 1000)}.${String(++seq).padStart(6, '0')}`;

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => send(res, 500, { ok: false, error: 'stand_in_error', detail: String(err) }));
  });
  const socket = new SlackSocketStandIn(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const uploads = new SlackFilesStandIn(origin, calls);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', origin).pathname;
    const body = await readBody(req);
    if (path.startsWith('/upload/')) return uploads.receive(path.slice('/upload/'.length), req, body, res);
    const raw = body.toString('utf8');
    const contentType = String(req.headers['content-type'] ?? '').split(';')[0]!.trim();
    const args = parseArgs(raw, contentType);
    if (path.startsWith('/response/')) {
      // response_url: JSON, no Authorization header.
      return record(res, { method: 'response_url', args: { ...args, id: path.slice('/response/'.length) }, contentType, raw }, 200, { ok: true });
    }
    const method = path.startsWith('/api/') ? path.slice('/api/'.length) : '';
    const token = bearer(req) ?? (typeof args.token === 'string' ? args.token : undefined);
    delete args.token;
    const base = { method, args, contentType, raw, ...(token ? { token } : {}) };
    const rule = rules.find((r) => r.method === method && r.left > 0 && (!r.match || r.match(args)));
    if (rule) {
      rule.left--;
      if (rule.error === 429) {
        res.setHeader('Retry-After', String(rule.retryAfterSec));
        return record(res, base, 429, { ok: false, error: 'ratelimited' });
      }
      return record(res, base, 200, { ok: false, error: rule.error });
    }
    const authError = checkToken(method, token);
    if (authError) return record(res, base, 200, { ok: false, error: authError });
    return record(res, base, 200, answer(method, args));
  }

  function checkToken(method: string, token: string | undefined): string | undefined {
    if (!token) return 'not_authed';
    if (method === 'apps.connections.open') return (opts.appToken ? token === opts.appToken : token.startsWith('xapp-')) ? undefined : 'invalid_auth';
    return (opts.botToken ? token === opts.botToken : token.startsWith('xoxb-')) ? undefined : 'invalid_auth';
  }

  function answer(method: string, a: Record<string, any>): Record<string, unknown> {
    switch (method) {
      case 'auth.test':
        return { ok: true, url: 'https://standin.slack.com/', team: 'Stand-in', user: 'chainops', team_id: teamId, user_id: botUserId, bot_id: 'B0CHAINOPS', is_enterprise_install: false };
      case 'chat.postMessage': {
        const bad = messageErrors(a);
        if (bad) return bad;
        const m: StoredMessage = { channel: a.channel, ts: nextTs(), text: a.text, blocks: a.blocks, edits: [], ...(a.thread_ts ? { thread_ts: a.thread_ts } : {}) };
        messages.push(m);
        return { ok: true, channel: m.channel, ts: m.ts, message: { type: 'message', user: botUserId, bot_id: 'B0CHAINOPS', text: m.text ?? '', ts: m.ts, ...(m.thread_ts ? { thread_ts: m.thread_ts } : {}) } };
      }
      case 'chat.update': {
        const bad = messageErrors(a);
        if (bad) return bad;
        const m = messages.find((x) => x.channel === a.channel && x.ts === a.ts);
        if (!m) return { ok: false, error: 'message_not_found' };
        m.edits.push({ text: m.text, blocks: m.blocks });
        if (a.text !== undefined) m.text = a.text;
        if (a.blocks !== undefined) m.blocks = a.blocks;
        return { ok: true, channel: m.channel, ts: m.ts, text: m.text ?? '' };
      }
      case 'chat.postEphemeral': {
        const bad = messageErrors(a);
        if (bad) return bad;
        if (!a.user) return { ok: false, error: 'user_not_in_channel' };
        return { ok: true, message_ts: nextTs() };
      }
      case 'views.publish':
      case 'views.open': {
        if (method === 'views.open' && !a.trigger_id) return { ok: false, error: 'invalid_arguments' };
        if (method === 'views.publish' && !a.user_id) return { ok: false, error: 'invalid_arguments' };
        const view = a.view as Record<string, unknown> | undefined;
        if (!view || typeof view !== 'object') return { ok: false, error: 'invalid_arguments' };
        const bad = checkBlocks(view.blocks, 100);
        if (bad) return { ok: false, error: bad.error === 'msg_blocks_too_long' ? 'invalid_arguments' : bad.error, response_metadata: { messages: bad.messages } };
        return { ok: true, view: { id: `V${String(++seq).padStart(8, '0')}`, team_id: teamId, hash: `h${seq}`, ...view } };
      }
      case 'files.getUploadURLExternal':
      case 'files.completeUploadExternal':
        return uploads.answer(method, a, messages);
      case 'apps.connections.open':
        return { ok: true, url: `${origin.replace('http', 'ws')}/link/?ticket=stand-in-${++seq}&app_id=A0STANDIN` };
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }

  function messageErrors(a: Record<string, any>): Record<string, unknown> | undefined {
    if (!a.channel || !/^[CDGU][A-Z0-9]{2,}$/.test(a.channel)) return { ok: false, error: 'channel_not_found' };
    if (!a.text && !a.blocks) return { ok: false, error: 'no_text' };
    if (typeof a.text === 'string' && a.text.length > 40_000) return { ok: false, error: 'msg_too_long' };
    const bad = checkBlocks(a.blocks, 50);
    return bad ? { ok: false, error: bad.error, response_metadata: { messages: bad.messages } } : undefined;
  }

  function record(res: ServerResponse, base: Omit<SlackCall, 'at' | 'status' | 'response'>, status: number, response: Record<string, unknown>): void {
    calls.push({ ...base, at: Date.now(), status, response });
    send(res, status, response);
  }

  const callsOf = (method: string) => calls.filter((c) => c.method === method);

  return {
    url: `${origin}/api/`,
    origin,
    calls,
    messages,
    files: uploads.files,
    socket,
    callsOf,
    responseUrl: (id = String(++seq)) => `${origin}/response/${id}`,
    async waitForCall(method, predicate = () => true, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hit = calls.find((c) => c.method === method && predicate(c));
        if (hit) return hit;
        if (Date.now() > deadline) throw new Error(`no ${method} call matched within ${timeoutMs}ms (saw: ${calls.map((c) => c.method).join(', ') || 'none'})`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    failNext(method, error, n = 1, o = {}) {
      rules.push({ method, error, left: n, retryAfterSec: o.retryAfterSec ?? 1, ...(o.match ? { match: o.match } : {}) });
    },
    async stop() {
      await socket.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function parseArgs(raw: string, contentType: string): Record<string, any> {
  if (!raw) return {};
  let args: Record<string, any>;
  if (contentType === 'application/json') {
    try {
      args = JSON.parse(raw) as Record<string, any>;
    } catch {
      return { _invalid_json: raw };
    }
  } else {
    args = Object.fromEntries(new URLSearchParams(raw));
  }
  for (const f of JSON_FIELDS) {
    if (typeof args[f] === 'string') {
      try {
        args[f] = JSON.parse(args[f]);
      } catch {
        /* leave it: Slack would answer invalid_blocks_format / invalid_arguments */
      }
    }
  }
  return args;
}

export function bearer(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  return h?.startsWith('Bearer ') ? h.slice(7) : undefined;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}
