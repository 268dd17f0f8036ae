/**
 * HTTP interactions mode: Discord POSTs interactions to our endpoint instead of the gateway. Each request
 * is verified (Ed25519), answered in the HTTP response (PONG, defer, autocomplete), and the real answer
 * follows through the interaction webhook. Serves `GET /healthz` too, since it owns the port.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readLimitedBody } from '../metrics/read-body.ts';
import type { AddressInfo } from 'node:net';
import { handleInteraction, type InteractionDeps } from './discord-interaction.handler.ts';
import { ed25519PublicKeyFromHex, verifyDiscordSignature } from './discord-signature.ts';

/** Interaction payloads are a few KB; anything far larger is not from Discord. */
const MAX_BODY_BYTES = 1_000_000;

export interface HttpReceiverOptions {
  publicKey: string;
  /** Port to listen on; 0 picks a free one. @defaultValue 3000 */
  port?: number;
  host?: string;
  /** Routes of the bot's public port (POST /gitops/webhook), matched by path and method before interactions. */
  extraRoutes?: Array<{ path: string; method: 'GET' | 'POST'; handler: (req: IncomingMessage, res: ServerResponse) => void }>;
}

export async function startHttpReceiver(opts: HttpReceiverOptions, deps: InteractionDeps): Promise<{ server: Server; port: number; stop(): Promise<void> }> {
  const key = ed25519PublicKeyFromHex(opts.publicKey);
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const route = opts.extraRoutes?.find((r) => r.path === path && r.method === req.method);
    if (route) return route.handler(req, res);
    if (req.method === 'GET' && req.url === '/healthz') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    if (req.method !== 'POST') return void res.writeHead(405, { allow: 'POST' }).end();
    readLimitedBody(req, MAX_BODY_BYTES)
      .then(async (body) => {
        if (body === undefined) return void res.writeHead(413).end();
        const sig = header(req, 'x-signature-ed25519');
        const ts = header(req, 'x-signature-timestamp');
        if (!verifyDiscordSignature(key, sig, ts, body)) return void res.writeHead(401, { 'content-type': 'text/plain' }).end('invalid request signature');
        let payload: unknown;
        try {
          payload = JSON.parse(body.toString('utf8'));
        } catch {
          return void res.writeHead(400).end();
        }
        let acked = false;
        // The answer is the HTTP response; it is flushed before dispatch so follow-ups never overtake it.
        const ack = (_i: unknown, reply: object) =>
          new Promise<void>((resolve) => {
            acked = true;
            res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(reply), () => resolve());
          });
        const outcome = await handleInteraction(payload, ack, deps);
        if (!acked) res.writeHead(outcome === 'duplicate' ? 409 : outcome === 'invalid' ? 400 : 204).end();
      })
      .catch((err: unknown) => {
        deps.logger.error({ err: String(err) }, 'discord: interaction request failed');
        if (!res.headersSent) res.writeHead(500).end();
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 3000, opts.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  deps.logger.info({ port }, 'discord: interactions endpoint listening');
  return {
    server,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
