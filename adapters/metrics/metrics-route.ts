import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ChainopsMetrics } from './metrics.registry.ts';

/** A GET route in the shape the bot's HTTP servers mount (`extraRoutes` of the Slack server). */
export interface GetRoute {
  path: string;
  method: 'GET';
  handler: (req: IncomingMessage, res: ServerResponse) => void;
}

/**
 * A GET or POST route on the bot's public port. A POST route gets the request with its body unread,
 * so a signature check sees the raw bytes (POST /gitops/webhook).
 */
export interface HttpRoute {
  path: string;
  method: 'GET' | 'POST';
  handler: (req: IncomingMessage, res: ServerResponse) => void;
}

/** `GET /metrics` in the Prometheus text format; a scrape that fails answers 500 with one line. */
export function metricsRoute(metrics: ChainopsMetrics, onError: (err: unknown) => void = () => {}): GetRoute {
  return {
    path: '/metrics',
    method: 'GET',
    handler: (_req, res) => {
      metrics.scrape().then(
        (text) => void res.writeHead(200, { 'content-type': metrics.contentType }).end(text),
        (err: unknown) => {
          onError(err);
          if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics are unavailable; see the ChainOps log\n');
        },
      );
    },
  };
}

/** `GET /healthz`: the process is up and serving HTTP. */
export const healthzRoute: GetRoute = {
  path: '/healthz',
  method: 'GET',
  handler: (_req, res) => void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n'),
};

/** A request listener that serves `routes` by path (GET and HEAD, or POST for a POST route) and answers 404 to the rest. */
export function serveRoutes(routes: readonly HttpRoute[]): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const route = routes.find((r) => r.path === path);
    if (!route) return void res.writeHead(404).end();
    if (route.method === 'POST') {
      if (req.method !== 'POST') return void res.writeHead(405, { allow: 'POST' }).end();
      return route.handler(req, res);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405, { allow: 'GET' }).end();
    route.handler(req, res);
  };
}
