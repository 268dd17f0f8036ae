import { timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type pino from 'pino';
import { z } from 'zod';
import { bullJobCounts } from '../../adapters/metrics/bull-job-counts.ts';
import { healthzRoute, metricsRoute, serveRoutes, type GetRoute } from '../../adapters/metrics/metrics-route.ts';
import { redisHealthzRoute } from '../../adapters/redis/redis-healthz.ts';
import { createMetrics, type ChainopsMetrics } from '../../adapters/metrics/metrics.registry.ts';
import { errorMessage } from '../errors.ts';
import type { Runtime } from './runtime.ts';

/** Prometheus' customary exporter port; see https://github.com/prometheus/prometheus/wiki/Default-port-allocations */
export const DEFAULT_METRICS_PORT = 9464;

const portSchema = z.coerce.number().int().min(0).max(65535);

/** `METRICS_PORT`: the worker's /metrics port. @defaultValue 9464; 0 picks a free port. */
export function metricsPortFrom(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env['METRICS_PORT'];
  if (raw === undefined || raw === '') return DEFAULT_METRICS_PORT;
  const parsed = portSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`bad environment: METRICS_PORT must be a port number 0–65535 (got "${raw.slice(0, 20)}")`);
  return parsed.data;
}

/** Port of the bot's own /metrics (never the public chat PORT). @defaultValue 9465; 0 picks a free port. */
export const DEFAULT_BOT_METRICS_PORT = 9465;

/** `BOT_METRICS_PORT`: where the bot serves /metrics, away from the port Slack and Discord reach. */
export function botMetricsPortFrom(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env['BOT_METRICS_PORT'];
  if (raw === undefined || raw === '') return DEFAULT_BOT_METRICS_PORT;
  const parsed = portSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`bad environment: BOT_METRICS_PORT must be a port number 0–65535 (got "${raw.slice(0, 20)}")`);
  return parsed.data;
}

/** `METRICS_TOKEN`: when set, /metrics answers only `Authorization: Bearer <token>` (401 otherwise). @defaultValue unset: open on its own port */
export function metricsTokenFrom(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env['METRICS_TOKEN'] || undefined;
}

/** `route` behind a bearer token (compared in constant time). */
function withBearer(route: GetRoute, token: string | undefined): GetRoute {
  if (!token) return route;
  const want = Buffer.from(`Bearer ${token}`);
  return {
    ...route,
    handler: (req, res) => {
      const got = Buffer.from(req.headers.authorization ?? '');
      if (got.length !== want.length || !timingSafeEqual(got, want)) {
        return void res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer' }).end('send the METRICS_TOKEN as a bearer token\n');
      }
      route.handler(req, res);
    },
  };
}

/** The metrics of one process role, wired to the runtime's state store and job queues. */
export interface RuntimeMetrics extends ChainopsMetrics {
  close(): Promise<void>;
}

/**
 * Metrics read from the runtime: snapshots from the state store, active alerts from the alert store,
 * job counts from BullMQ over a connection of their own.
 */
export function createRuntimeMetrics(rt: Runtime): RuntimeMetrics {
  const counts = bullJobCounts(rt.connect('state'), rt.prefix);
  const metrics = createMetrics({
    fleet: rt.fleet,
    snapshots: () => rt.state.getSnapshots(),
    jobCounts: () => counts.counts(),
    activeAlerts: () => rt.alerts.active(),
    onSourceError: (source, err) => rt.logger.warn({ source, err: errorMessage(err) }, `metrics: could not read ${source}`),
  });
  return Object.assign(metrics, { close: () => counts.close() });
}

/** Options of `startMetricsHttp`. */
export interface MetricsHttpOptions {
  /** 0 picks a free port. */
  port: number;
  /** @defaultValue every interface, like the bot's PORT */
  host?: string;
  metrics: ChainopsMetrics;
  logger: Pick<pino.Logger, 'info' | 'warn' | 'error'>;
  /** Bearer token /metrics requires. @defaultValue METRICS_TOKEN, else none */
  token?: string;
  /** @defaultValue a /healthz that answers ok while the process serves HTTP */
  healthz?: GetRoute;
}

/** A tiny HTTP server with `GET /metrics` and `GET /healthz` only. */
export async function startMetricsHttp(opts: MetricsHttpOptions): Promise<{ url: string; port: number; close(): Promise<void> }> {
  const scrapeFailed = (err: unknown) => opts.logger.error({ err: errorMessage(err) }, 'metrics scrape failed');
  const token = opts.token ?? metricsTokenFrom();
  const server: Server = createServer(serveRoutes([withBearer(metricsRoute(opts.metrics, scrapeFailed), token), opts.healthz ?? healthzRoute]));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  opts.logger.info({ port }, 'metrics: serving /metrics and /healthz');
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * Serves `metrics` on their own port (METRICS_PORT for workers, BOT_METRICS_PORT for the bot). A port already taken (two workers on one host)
 * is logged and the process runs on without /metrics: its real work matters more than being scraped.
 */
export async function serveMetricsAlone(rt: Runtime, metrics: ChainopsMetrics, port = metricsPortFrom()): Promise<{ url?: string; close(): Promise<void> }> {
  try {
    const http = await startMetricsHttp({ port, metrics, logger: rt.logger, healthz: redisHealthzRoute(rt.pingRedis) });
    return { url: http.url, close: () => http.close() };
  } catch (err) {
    rt.logger.error({ err: errorMessage(err), port }, `metrics: cannot listen on port ${port}; running without /metrics — set METRICS_PORT (worker) or BOT_METRICS_PORT (bot) to a free port`);
    return { close: async () => {} };
  }
}

/** The worker's metrics on METRICS_PORT next to `part` (the worker host); closing closes both. */
export async function withMetricsHttp(rt: Runtime, part: { close(): Promise<void> }, port = metricsPortFrom()): Promise<{ close(): Promise<void>; metricsUrl?: string }> {
  const metrics = createRuntimeMetrics(rt);
  const http = await serveMetricsAlone(rt, metrics, port);
  return {
    ...(http.url ? { metricsUrl: http.url } : {}),
    async close() {
      await http.close();
      await part.close();
      await metrics.close();
    },
  };
}
