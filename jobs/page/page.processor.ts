import { threadItems } from '../../src/alerts/alert-outbox.ts';
import type { Alert } from '../../src/alerts/alert.types.ts';
import { errorMessage } from '../../src/errors.ts';
import type { Fleet } from '../../src/fleet/fleet.schema.ts';
import { pageEvent, pageTargetsFor, targetId, targetLabel, type PageTransition } from '../../src/paging/page-plan.ts';
import { pageJobId } from '../../src/paging/paging-alert-store.ts';
import type { PageClaims, Pager } from '../../src/paging/pager.port.ts';
import type { Logger } from '../../src/pipeline/deps.ts';
import type { AlertStore } from '../../src/ports/alert.port.ts';
import type { Clock } from '../../src/ports/clock.port.ts';
import type { Outbox } from '../../src/ports/outbox.port.ts';
import type { JobQueue } from '../../src/ports/queue.port.ts';
import { alertThreadMessage } from '../../src/render/alert.message.ts';
import type { JobContext } from '../job-context.ts';
import { parseJobData } from '../parse-job-data.ts';
import { pageJob } from './page-job.schema.ts';

export interface PageDeps {
  fleet: () => Fleet;
  alerts: AlertStore;
  outbox: Outbox;
  queue: JobQueue;
  pager: Pager;
  claims: PageClaims;
  clock: Clock;
  logger: Logger;
  /** Attempts BullMQ gives a job (shown in the thread when one fails). @defaultValue 3 */
  attempts?: number;
}

/** How long a claim taken before a send holds if its holder dies mid-request. */
const CLAIM_HOLD_MS = 60_000;

const DONE: Record<PageTransition, string> = { trigger: 'paged', acknowledge: 'acknowledged the incident in', resolve: 'resolved the incident in' };

/**
 * Send one transition of one alert to each pager its route names, at most once per target across
 * every replica and retry (a claim per alert, transition and target). Acknowledge and resolve wait
 * for their trigger to go out first; when the alert was never paged they send nothing. A failure is
 * shown in the alert's thread and thrown, so the queue retries it with backoff.
 */
export function pageProcessor(deps: PageDeps) {
  return async (job: JobContext<unknown>) => {
    const data = parseJobData(pageJob, job.data, job.id);
    const alert = await deps.alerts.get(data.alertId);
    if (!alert) return { sent: 0, why: 'the alert is no longer kept' };
    let sent = 0;
    for (const target of pageTargetsFor(deps.fleet(), alert)) {
      const tid = targetId(target);
      const key = `${alert.id}:${data.transition}:${tid}`;
      if ((await deps.claims.state(key)) === 'sent') continue;
      if (data.transition !== 'trigger' && (await deps.claims.state(`${alert.id}:trigger:${tid}`)) !== 'sent') {
        if (await triggerStillComing(deps.queue, alert.id)) throw new Error(`the trigger of ${alert.id} has not gone out yet; ${data.transition} waits for it`);
        continue;
      }
      if (!(await deps.claims.begin(key, CLAIM_HOLD_MS))) throw new Error(`another worker is sending ${data.transition} for ${alert.id} to ${tid}`);
      try {
        await deps.pager.send(target, pageEvent(alert, data.transition, deps.clock.now()));
      } catch (err) {
        await deps.claims.abandon(key);
        const attempts = deps.attempts ?? 3;
        const next = job.attempt < attempts ? 'it is tried again shortly' : 'no more tries — page on-call by hand';
        await post(deps, alert, `⚠️ Paging ${targetLabel(target)} failed (${data.transition}, attempt ${job.attempt} of ${attempts}): ${errorMessage(err)} — ${next}.`, 'warn');
        throw err;
      }
      await deps.claims.done(key);
      sent++;
      await post(deps, alert, `📟 ChainOps ${DONE[data.transition]} ${targetLabel(target)} (dedup key chainops-${alert.id}).`, 'info');
    }
    return { sent };
  };
}

async function triggerStillComing(queue: JobQueue, alertId: string): Promise<boolean> {
  const job = await queue.get('page', pageJobId(alertId, 'trigger'));
  return job !== undefined && job.state !== 'completed' && job.state !== 'failed';
}

async function post(deps: PageDeps, alert: Alert, text: string, severity: 'info' | 'warn'): Promise<void> {
  if (!alert.posted || alert.targets.length === 0) return;
  for (const item of threadItems(alert, alertThreadMessage(text, severity))) {
    await deps.outbox.publish(item).catch((err: unknown) => deps.logger.warn({ err: errorMessage(err), alert: alert.id }, 'could not post the paging line'));
  }
}
