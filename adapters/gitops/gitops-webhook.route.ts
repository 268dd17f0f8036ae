import type { IncomingMessage, ServerResponse } from 'node:http';
import { readLimitedBody } from '../metrics/read-body.ts';
import { errorMessage } from '../../src/errors.ts';
import type { GitopsLedger } from '../../src/gitops/gitops-ledger.port.ts';
import { readPushWebhook } from '../../src/gitops/push-webhook.ts';
import type { AuditLog } from '../../src/ports/audit.port.ts';
import type { Clock } from '../../src/ports/clock.port.ts';
import type { Logger } from '../../src/pipeline/deps.ts';

export const GITOPS_WEBHOOK_PATH = '/gitops/webhook';
/** Push payloads of a big merge stay well under this; GitHub caps deliveries at 25 MB, so say 413 early. */
export const GITOPS_BODY_LIMIT = 1024 * 1024;
/** A push delivery's id is remembered this long: GitHub lets people redeliver for 3 days. */
const DELIVERY_TTL_MS = 3 * 86_400_000;

/** GitHub's X-GitHub-Delivery (one GUID per event, kept on redelivery) or GitLab's X-Gitlab-Event-UUID. */
function deliveryId(req: IncomingMessage, provider: 'github' | 'gitlab'): string | undefined {
  const v = req.headers[provider === 'github' ? 'x-github-delivery' : 'x-gitlab-event-uuid'];
  const id = Array.isArray(v) ? v[0] : v;
  return id && /^[0-9a-f-]{8,64}$/i.test(id) ? id.toLowerCase() : undefined;
}

export interface GitopsWebhookRouteOptions {
  /** CHAINOPS_GITOPS_WEBHOOK_SECRET; undefined = every request answers 503 (logged once at start by the caller). */
  secret: string | undefined;
  /** The ref the fleet source follows (CHAINOPS_FLEET_REF). */
  followedRef: string;
  /** Called for each verified push to that ref (the announcer debounces). */
  onPush: (why: string) => void;
  audit: AuditLog;
  /** Counts refusals per remote address across replicas (a flood is one audit entry a minute per address) and remembers push delivery ids. */
  ledger: Pick<GitopsLedger, 'tallyRefusal' | 'claim'>;
  /** At most one audit entry and one log line of refusals per remote address this often. @defaultValue 60000 ms */
  refusalWindowMs?: number;
  clock: Clock;
  logger: Logger;
}

/**
 * POST /gitops/webhook for GitHub (`X-Hub-Signature-256`) and GitLab (`X-Gitlab-Token`) push hooks,
 * served on the bot's public port. The raw body is read here (the signature covers those bytes) up to
 * 1 MB (413 past it). Unauthenticated → 401, audited with the remote address, nothing else happens
 * (one entry per address per `refusalWindowMs`, carrying the count, so forged floods cannot flood the log);
 * authentic → 200 for GitHub's ping, 409 for a push delivery id seen before (a replay), 202 for anything
 * else, and a push to the followed ref nudges the announcer, which fetches the repository itself (the
 * body is never trusted for content).
 */
export function gitopsWebhookRoute(opts: GitopsWebhookRouteOptions) {
  const audit = (detail: string, outcome: 'ok' | 'refused') =>
    opts.audit.append({ at: opts.clock.now(), actor: 'system', action: 'gitops.webhook', detail: detail.slice(0, 500), outcome });
  const windowMs = opts.refusalWindowMs ?? 60_000;
  /** Audit and log a refusal, unless this address already had its entry this window (the next one counts it). */
  const refused = async (from: string, reason: string, hint = '') => {
    try {
      const n = await opts.ledger.tallyRefusal(from, windowMs);
      if (n === 0) return;
      const many = n > 1 ? ` (${n} refusals from this address since its last entry)` : '';
      opts.logger.warn({ from, reason, refusals: n }, `gitops webhook refused: ${reason}${many}${hint}`);
      await audit(`refused from ${from}: ${reason}${many}`, 'refused');
    } catch (err) {
      // The sender still gets its refusal; a Redis outage must not turn 401 into 500.
      opts.logger.error({ err: errorMessage(err), from, reason }, 'gitops webhook: could not audit a refused delivery');
    }
  };
  return {
    path: GITOPS_WEBHOOK_PATH,
    method: 'POST' as const,
    handler: (req: IncomingMessage, res: ServerResponse) => {
      handle(req, res).catch((err: unknown) => {
        opts.logger.error({ err: errorMessage(err) }, 'gitops webhook failed');
        if (!res.headersSent) res.writeHead(500).end();
      });
    },
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const from = req.socket.remoteAddress ?? 'unknown';
    if (!opts.secret) {
      // Drain nothing: answer at once so the sender's delivery log shows why.
      res.writeHead(503, { 'content-type': 'text/plain', connection: 'close' }).end('the GitOps webhook is not configured: set CHAINOPS_GITOPS_WEBHOOK_SECRET on the bot\n');
      return;
    }
    const raw = await readLimitedBody(req, GITOPS_BODY_LIMIT);
    if (!raw) {
      await refused(from, `body over ${GITOPS_BODY_LIMIT} bytes`);
      res.writeHead(413, { 'content-type': 'text/plain', connection: 'close' }).end('payload too large\n');
      return;
    }
    const verdict = readPushWebhook({ headers: req.headers, raw, secret: opts.secret, followedRef: opts.followedRef });
    switch (verdict.kind) {
      case 'refused':
        await refused(from, verdict.reason, ' — check CHAINOPS_GITOPS_WEBHOOK_SECRET against the webhook\'s secret');
        res.writeHead(401, { 'content-type': 'text/plain' }).end('bad signature\n');
        return;
      case 'ping':
        await audit(`${verdict.provider} ping from ${from}`, 'ok');
        res.writeHead(200, { 'content-type': 'text/plain' }).end('pong\n');
        return;
      case 'ignored':
        await audit(`${verdict.provider} delivery from ${from} ignored: ${verdict.reason}`, 'ok');
        res.writeHead(202, { 'content-type': 'text/plain' }).end(`ignored: ${verdict.reason}\n`);
        return;
      case 'push': {
        // The signature covers the body, not the headers, so this only stops a verbatim replay; any
        // other replay just causes one more look, which posts nothing the announcer already posted.
        const id = deliveryId(req, verdict.provider);
        if (id && !(await opts.ledger.claim(`delivery:${verdict.provider}:${id}`, 'received', DELIVERY_TTL_MS))) {
          await refused(from, `${verdict.provider} delivery ${id} was already received (a replay)`);
          res.writeHead(409, { 'content-type': 'text/plain' }).end('delivery already received\n');
          return;
        }
        const why = `${verdict.provider} push${verdict.after ? ` of ${verdict.after.slice(0, 12)}` : ''}`;
        await audit(`${why} to ${verdict.ref} from ${from} accepted`, 'ok');
        opts.onPush(why);
        res.writeHead(202, { 'content-type': 'text/plain' }).end('accepted; the preview follows in chat\n');
        return;
      }
    }
  }
}
