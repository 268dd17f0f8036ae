import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ChainopsMetrics } from './metrics.registry.ts';

/** A GET route in the shape the bot's HTTP servers mount (`extraRoutes` of the Slack server). */
export interface GetRoute {
  path: string;
  method: 'GET';
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

/** A request listener that serves `routes` by path (GET and HEAD only) and answers 404 to the rest. */
export function serveRoutes(routes: readonly GetRoute[]): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const route = routes.find((r) => r.path === path);
    if (!route) return void res.writeHead(404).end();
    if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405, { allow: 'GET' }).end();
    route.handler(req, res);
  };
}
