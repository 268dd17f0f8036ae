import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { StateStore } from '../../src/ports/state.port.ts';
import { SIGNATURE_WINDOW_SEC, verifySlackSignature } from './slack-signature.ts';

export const EVENTS_PATH = '/slack/events';
/** Slack payloads are a few KB; anything near this is not from Slack. */
const BODY_LIMIT = 1024 * 1024;

export interface ExtraRoute {
  path: string;
  /** A POST route gets the request with its body unread (its own signature check reads the raw bytes). */
  method: 'GET' | 'POST';
  handler: (req: IncomingMessage, res: ServerResponse) => void;
}

export interface SlackHttpServerOptions {
  port: number;
  logger: Logger;
  /** /healthz, POST /gitops/webhook … served on the same port. */
  extraRoutes?: ExtraRoute[];
  /** HTTP mode only: Bolt's receiver, reached after the guard below. */
  events?: { listener: RequestListener; signingSecret: string; state: StateStore };
}

export interface SlackHttpServer {
  url: string;
  close(): Promise<void>;
}

/**
 * The one HTTP server of the bot process. POST /slack/events is guarded before Bolt sees it:
 * signature and ±5-minute window (401 otherwise), then replay (the same signature twice → 401;
 * Events API retries carry X-Slack-Retry-Num and are left to the delivery de-duplication).
 */
export async function startSlackHttpServer(opts: SlackHttpServerOptions): Promise<SlackHttpServer> {
  const log = opts.logger.child({ component: 'slack-http' });
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log.error({ err: (err as Error)?.message }, 'Slack HTTP request failed');
      if (!res.headersSent) res.writeHead(500).end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const route = opts.extraRoutes?.find((r) => r.path === path && r.method === req.method);
    if (route) return route.handler(req, res);
    if (path !== EVENTS_PATH || req.method !== 'POST' || !opts.events) {
      res.writeHead(404).end();
      return;
    }
    const raw = await readBody(req).catch(() => undefined);
    if (!raw) {
      res.writeHead(413).end();
      return;
    }
    if (!(await admit(req, raw, opts.events, log))) {
      res.writeHead(401).end();
      return;
    }
    // Bolt reuses an already-read body (BufferedIncomingMessage.rawBody) and verifies it again.
    Object.assign(req, { rawBody: raw });
    opts.events.listener(req, res);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => closeServer(server) };
}

async function admit(req: IncomingMessage, raw: Buffer, events: NonNullable<SlackHttpServerOptions['events']>, log: Logger): Promise<boolean> {
  // Slack's SSL check is unsigned by design; Bolt answers it and strips any smuggled payload.
  if (req.headers['content-type'] === 'application/x-www-form-urlencoded' && /^ssl_check=1(&|$)/.test(raw.toString())) return true;
  const signature = header(req, 'x-slack-signature');
  const verdict = verifySlackSignature({
    signingSecret: events.signingSecret,
    timestamp: header(req, 'x-slack-request-timestamp'),
    signature,
    rawBody: raw,
    nowSec: Math.floor(Date.now() / 1000),
  });
  if (!verdict.ok) {
    log.warn({ reason: verdict.reason }, `refused a Slack request: ${verdict.reason}`);
    return false;
  }
  let fresh = true;
  try {
    // Twice the window: a signature cannot be valid for longer than that.
    fresh = await events.state.claimOnce(`slack:sig:${signature}`, 2 * SIGNATURE_WINDOW_SEC * 1000);
  } catch (err) {
    // Fail open here: the per-delivery claim that follows still stops a second dispatch.
    log.warn({ err: (err as Error)?.message }, 'replay check unavailable (state store); relying on delivery de-duplication');
  }
  // Only the Events API retries (JSON bodies, de-duplicated by event_id for an hour, longer than any
  // signature lives). Slash commands and clicks (form bodies) are never retried by Slack, and
  // X-Slack-Retry-Num is not covered by the signature: on them it would let anyone replay a captured
  // click once its 15-second double-click window has passed.
  const retriedEvent = header(req, 'x-slack-retry-num') !== undefined && isJson(req);
  if (!fresh && !retriedEvent) {
    log.warn('refused a replayed Slack request (signature already seen)');
    return false;
  }
  return true;
}

function isJson(req: IncomingMessage): boolean {
  return /^application\/json\b/i.test(header(req, 'content-type') ?? '');
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > BODY_LIMIT) {
        reject(new Error('body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections?.();
  });
}
