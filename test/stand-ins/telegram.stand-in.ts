import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback stand-in for the Telegram Bot API (core.telegram.org/bots/api), for tests only.
 * Requests arrive as `POST /bot<token>/<method>` with a JSON body (grammY sends JSON when no file is
 * attached); answers are `{ok: true, result}` or `{ok: false, error_code, description, parameters?}`.
 * Methods: getMe, getUpdates (long polling with offset/timeout), setWebhook, deleteWebhook, setMyCommands,
 * getWebhookInfo, sendMessage, editMessageText, answerCallbackQuery. HTML parse mode is checked the way
 * Telegram does (known tags, balanced, only &lt; &gt; &amp; &quot; entities), text within 4096
 * characters after parsing, callback_data within 1–64 bytes. Updates (messages, button presses) are
 * queued by the test and handed out by getUpdates, or POSTed to a webhook with its secret token header.
 */

export interface TgCall {
  method: string;
  body: Record<string, any>;
  raw: string;
  status: number;
  result?: unknown;
  at: number;
}

export interface TgStoredMessage {
  chatId: number;
  messageId: number;
  html: string;
  text: string;
  replyTo?: number;
  threadId?: number;
  keyboard?: Array<Array<{ text: string; callback_data: string }>>;
  edits: Array<{ html: string; keyboard?: unknown }>;
}

export interface TgUser { id: number; username?: string; first_name?: string }

export interface TelegramStandIn {
  /** Base for TELEGRAM_API_URL (no trailing slash). */
  url: string;
  calls: TgCall[];
  messages: TgStoredMessage[];
  webhook?: { url: string; secret_token?: string };
  callsOf(method: string): TgCall[];
  /** A person types `text` in a chat; returns the update id. */
  userSays(chat: { id: number; type?: string }, from: TgUser, text: string): number;
  /** A person presses a button of a bot message; returns the callback query id. */
  press(from: TgUser, message: TgStoredMessage, callbackData: string): string;
  /** The update of the last userSays/press, for sending to a webhook. */
  lastUpdate(): Record<string, unknown>;
  /** Answer the next `n` calls of `method` with an error (429 carries retry_after). */
  failNext(method: string, code: 429 | 400 | 403, n?: number, retryAfterSec?: number): void;
  stop(): Promise<void>;
}

const BOT = { id: 7000001, is_bot: true, first_name: 'ChainOps', username: 'ChainOpsBot' };
const TAGS = new Set(['b', 'strong', 'i', 'em', 'u', 'ins', 's', 'strike', 'del', 'span', 'tg-spoiler', 'a', 'code', 'pre', 'blockquote', 'tg-emoji']);

export async function startTelegramStandIn(opts: { token: string }): Promise<TelegramStandIn> {
  const calls: TgCall[] = [];
  const messages: TgStoredMessage[] = [];
  const updates: Array<Record<string, unknown>> = [];
  const waiting = new Set<() => void>();
  const failures = new Map<string, Array<{ code: number; retryAfterSec?: number }>>();
  const queries = new Set<string>();
  /** Users who opened a private chat with the bot: only they may be written to privately. */
  const started = new Set<number>();
  let nextUpdate = 1;
  let nextMessage = 100;
  let confirmedOffset = 0;
  let webhook: TelegramStandIn['webhook'];

  const push = (u: Record<string, unknown>) => {
    updates.push(u);
    for (const w of waiting) w();
  };
  const asMessage = (m: TgStoredMessage) => ({
    message_id: m.messageId, date: Math.floor(Date.now() / 1000), chat: { id: m.chatId, type: m.chatId < 0 ? 'supergroup' : 'private' }, from: BOT, text: m.text,
    ...(m.threadId ? { message_thread_id: m.threadId, is_topic_message: true } : {}),
    ...(m.keyboard?.length ? { reply_markup: { inline_keyboard: m.keyboard } } : {}),
  });

  async function method(name: string, b: Record<string, any>): Promise<{ status: number; body: Record<string, unknown> }> {
    const ok = (result: unknown) => ({ status: 200, body: { ok: true, result } });
    const bad = (status: number, description: string, parameters?: Record<string, unknown>) => ({ status, body: { ok: false, error_code: status, description, ...(parameters ? { parameters } : {}) } });
    const fail = failures.get(name)?.shift();
    if (fail) return fail.code === 429 ? bad(429, `Too Many Requests: retry after ${fail.retryAfterSec ?? 1}`, { retry_after: fail.retryAfterSec ?? 1 }) : bad(fail.code, fail.code === 403 ? 'Forbidden: bot was kicked from the group chat' : 'Bad Request');
    switch (name) {
      case 'getMe':
        return ok({ ...BOT, can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false });
      case 'deleteWebhook':
        webhook = undefined;
        return ok(true);
      case 'setWebhook':
        if (typeof b.url !== 'string' || !b.url) return bad(400, 'Bad Request: bad webhook: URL must be provided');
        if (b.secret_token !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(b.secret_token)) return bad(400, 'Bad Request: secret token contains unallowed characters');
        webhook = { url: b.url, ...(b.secret_token ? { secret_token: b.secret_token } : {}) };
        return ok(true);
      case 'setMyCommands': {
        const list = Array.isArray(b.commands) ? (b.commands as Array<{ command?: unknown; description?: unknown }>) : [];
        if (list.length > 100 || list.some((c) => !/^[a-z0-9_]{1,32}$/.test(String(c.command)) || typeof c.description !== 'string' || c.description.length < 1 || c.description.length > 256)) {
          return bad(400, 'Bad Request: BOT_COMMAND_INVALID');
        }
        return ok(true);
      }
      case 'getWebhookInfo':
        return ok({ url: webhook?.url ?? '', has_custom_certificate: false, pending_update_count: updates.length });
      case 'getUpdates': {
        if (webhook) return bad(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
        const offset = Number(b.offset ?? 0);
        if (offset > confirmedOffset) confirmedOffset = offset;
        const pending = () => updates.filter((u) => (u.update_id as number) >= confirmedOffset).slice(0, Number(b.limit ?? 100));
        if (pending().length === 0 && Number(b.timeout ?? 0) > 0) {
          await new Promise<void>((resolve) => {
            const done = () => { waiting.delete(done); clearTimeout(t); resolve(); };
            const t = setTimeout(done, Math.min(Number(b.timeout), 2) * 1000);
            waiting.add(done);
          });
        }
        return ok(pending());
      }
      case 'sendMessage':
      case 'editMessageText': {
        const parsed = parseText(String(b.text ?? ''), b.parse_mode);
        if (typeof parsed !== 'string') return bad(400, `Bad Request: ${parsed.error}`);
        if (parsed.length === 0) return bad(400, 'Bad Request: message text is empty');
        if (parsed.length > 4096) return bad(400, 'Bad Request: message is too long');
        const keyboard = b.reply_markup?.inline_keyboard as TgStoredMessage['keyboard'] | undefined;
        for (const row of keyboard ?? []) for (const k of row) {
          const len = Buffer.byteLength(String(k.callback_data ?? ''), 'utf8');
          if (len < 1 || len > 64) return bad(400, 'Bad Request: BUTTON_DATA_INVALID');
        }
        if (name === 'sendMessage') {
          if (Number(b.chat_id) > 0 && !started.has(Number(b.chat_id))) return bad(403, "Forbidden: bot can't initiate conversation with a user");
          const m: TgStoredMessage = {
            chatId: Number(b.chat_id), messageId: nextMessage++, html: String(b.text), text: parsed, edits: [],
            ...(b.reply_parameters?.message_id ? { replyTo: Number(b.reply_parameters.message_id) } : {}),
            ...(b.message_thread_id ? { threadId: Number(b.message_thread_id) } : {}),
            ...(keyboard?.length ? { keyboard } : {}),
          };
          messages.push(m);
          return ok(asMessage(m));
        }
        const m = messages.find((x) => x.chatId === Number(b.chat_id) && x.messageId === Number(b.message_id));
        if (!m) return bad(400, 'Bad Request: message to edit not found');
        const newKeyboard = keyboard?.length ? keyboard : undefined;
        if (m.html === String(b.text) && JSON.stringify(m.keyboard) === JSON.stringify(newKeyboard)) {
          return bad(400, 'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message');
        }
        m.edits.push({ html: m.html, keyboard: m.keyboard });
        m.html = String(b.text);
        m.text = parsed;
        if (newKeyboard) m.keyboard = newKeyboard;
        else delete m.keyboard;
        return ok(asMessage(m));
      }
      case 'answerCallbackQuery':
        if (!queries.delete(String(b.callback_query_id))) return bad(400, 'Bad Request: query is too old and response timeout expired or query ID is invalid');
        return ok(true);
      default:
        return bad(404, 'Not Found: method not found');
    }
  }

  const server = createServer((req, res) => {
    void readAll(req).then(async (raw) => {
      const m = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(new URL(req.url ?? '/', 'http://x').pathname);
      let body: Record<string, any> = {};
      try {
        body = raw ? (JSON.parse(raw) as Record<string, any>) : {};
      } catch { /* recorded as sent */ }
      const answer = !m ? { status: 404, body: { ok: false, error_code: 404, description: 'Not Found' } }
        : m[1] !== opts.token ? { status: 401, body: { ok: false, error_code: 401, description: 'Unauthorized' } }
        : await method(m[2]!, body);
      calls.push({ method: m?.[2] ?? '?', body, raw, status: answer.status, result: (answer.body as { result?: unknown }).result, at: Date.now() });
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  let last: Record<string, unknown> = {};

  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    messages,
    get webhook() { return webhook; },
    callsOf: (name) => calls.filter((c) => c.method === name),
    userSays(chat, from, text) {
      const update_id = nextUpdate++;
      if (chat.id > 0) started.add(chat.id);
      const entities = text.startsWith('/') ? [{ type: 'bot_command', offset: 0, length: text.split(/\s/)[0]!.length }] : [];
      last = { update_id, message: { message_id: nextMessage++, date: Math.floor(Date.now() / 1000), chat: { id: chat.id, type: chat.type ?? (chat.id < 0 ? 'supergroup' : 'private') }, from: { is_bot: false, ...from }, text, ...(entities.length ? { entities } : {}) } };
      push(last);
      return update_id;
    },
    press(from, message, callbackData) {
      const id = randomUUID().replace(/-/g, '').slice(0, 19);
      queries.add(id);
      last = { update_id: nextUpdate++, callback_query: { id, from: { is_bot: false, ...from }, message: asMessage(message), chat_instance: '-4242', data: callbackData } };
      push(last);
      return id;
    },
    lastUpdate: () => last,
    failNext(name, code, n = 1, retryAfterSec) {
      const list = failures.get(name) ?? [];
      for (let i = 0; i < n; i++) list.push({ code, ...(retryAfterSec ? { retryAfterSec } : {}) });
      failures.set(name, list);
    },
    stop: () => new Promise<void>((resolve) => {
      for (const w of waiting) w();
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** The text Telegram would show for `text` in `mode`, or why it refuses to parse it. */
export function parseText(text: string, mode: string | undefined): string | { error: string } {
  if (mode !== 'HTML') return text;
  const stack: string[] = [];
  let out = '';
  const re = /<\/?([a-z-]+)(\s[^>]*)?>|&(lt|gt|amp|quot|#\d+);|[<>&]/g;
  let at = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    out += text.slice(at, m.index);
    at = m.index + m[0].length;
    if (m[0] === '<' || m[0] === '>' || m[0] === '&') return { error: `can't parse entities: unsupported start tag or unescaped character at byte offset ${m.index}` };
    if (m[3]) {
      out += m[3] === 'lt' ? '<' : m[3] === 'gt' ? '>' : m[3] === 'amp' ? '&' : m[3] === 'quot' ? '"' : String.fromCharCode(Number(m[3].slice(1)));
      continue;
    }
    const tag = m[1]!;
    if (!TAGS.has(tag)) return { error: `can't parse entities: unsupported start tag "${tag}" at byte offset ${m.index}` };
    if (m[0].startsWith('</')) {
      if (stack.pop() !== tag) return { error: `can't parse entities: can't find end tag corresponding to start tag "${tag}"` };
    } else stack.push(tag);
  }
  out += text.slice(at);
  if (stack.length) return { error: `can't parse entities: can't find end tag corresponding to start tag "${stack[stack.length - 1]}"` };
  return out;
}

async function readAll(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
