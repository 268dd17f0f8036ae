import type { IncomingMessage, ServerResponse } from 'node:http';

/** How long /healthz waits for Redis' PONG before it calls Redis unreachable. */
const PING_TIMEOUT_MS = 1_500;

/**
 * `GET /healthz` that also asks Redis: 200 `ok` with `redis: ok`, or 503 with `redis: unreachable` and
 * the reason, so an orchestrator can tell a process that lost Redis (or is stuck behind a failover
 * that never settles) from a healthy one. A failover answers 503 for the few seconds it lasts: give the
 * probe a failure threshold longer than that (see README, "Running for real").
 */
export function redisHealthzRoute(ping: () => Promise<unknown>, timeoutMs = PING_TIMEOUT_MS) {
  return {
    path: '/healthz',
    method: 'GET' as const,
    handler: (_req: IncomingMessage, res: ServerResponse) => {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)));
      Promise.race([ping(), late]).then(
        () => void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\nredis: ok\n'),
        (err: unknown) => {
          const reason = (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ').slice(0, 200);
          if (!res.headersSent) res.writeHead(503, { 'content-type': 'text/plain' }).end(`unhealthy\nredis: unreachable (${reason})\n`);
        },
      ).finally(() => clearTimeout(timer));
    },
  };
}
