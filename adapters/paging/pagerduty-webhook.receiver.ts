import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorMessage } from '../../src/errors.ts';
import { applyPagerChange, type PagerSyncDeps } from '../../src/paging/pager-sync.ts';
import type { Logger } from '../../src/pipeline/deps.ts';
import { verifyPagerDutySignature } from './pagerduty-signature.ts';
import { readPagerDutyWebhook } from './pagerduty-webhook.schema.ts';

export const PAGERDUTY_WEBHOOK_PATH = '/pagerduty/webhook';
/** Webhook v3 payloads are a few KB. */
const BODY_LIMIT = 256 * 1024;

export interface PagerDutyWebhookOptions extends PagerSyncDeps {
  /** The webhook subscription's signing secret (PAGERDUTY_WEBHOOK_SECRET). */
  secret: string;
  /** 0 picks a free port. */
  port: number;
  logger: Logger;
}

/**
 * POST /pagerduty/webhook: PagerDuty's v3 webhooks. A request whose `X-PagerDuty-Signature` does not
 * match the raw body is refused with 401 before it is parsed; a verified one is answered 200 once the
 * alert is updated (PagerDuty retries anything else), also when it is about something ChainOps ignores.
 */
export async function startPagerDutyWebhook(opts: PagerDutyWebhookOptions): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== PAGERDUTY_WEBHOOK_PATH) return void res.writeHead(404).end();
    if (req.method !== 'POST') return void res.writeHead(405, { allow: 'POST' }).end();
    readBody(req).then(async (raw) => {
      if (!raw) return void res.writeHead(413).end();
      if (!verifyPagerDutySignature(opts.secret, raw, header(req, 'x-pagerduty-signature'))) {
        opts.logger.warn({ path: PAGERDUTY_WEBHOOK_PATH }, 'PagerDuty webhook refused: bad or missing X-PagerDuty-Signature (check PAGERDUTY_WEBHOOK_SECRET against the subscription\'s secret)');
        return void res.writeHead(401, { 'content-type': 'text/plain' }).end('bad signature\n');
      }
      let body: unknown;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        return void res.writeHead(400, { 'content-type': 'text/plain' }).end('not JSON\n');
      }
      const reading = readPagerDutyWebhook(body);
      if (!reading.ok) {
        opts.logger.debug({ why: reading.ignored }, 'PagerDuty webhook ignored');
        return void res.writeHead(200).end();
      }
      const outcome = await applyPagerChange(opts, reading.change);
      opts.logger.info({ event: reading.eventId, outcome }, 'PagerDuty webhook applied');
      res.writeHead(200).end();
    }).catch((err: unknown) => {
      opts.logger.error({ err: errorMessage(err) }, 'PagerDuty webhook failed; PagerDuty will retry it');
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(opts.port, '0.0.0.0', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}${PAGERDUTY_WEBHOOK_PATH}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/** The raw body, or undefined past the limit. */
async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > BODY_LIMIT) return undefined;
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}
