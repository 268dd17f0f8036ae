import type { Alert, Silence } from '../alerts/alert.types.ts';
import { errorMessage } from '../errors.ts';
import type { Fleet } from '../fleet/fleet.schema.ts';
import type { Logger } from '../pipeline/deps.ts';
import type { AlertStore } from '../ports/alert.port.ts';
import type { JobQueue } from '../ports/queue.port.ts';
import { pageTargetsFor, transitionOf, type PageTransition } from './page-plan.ts';

/** The page job's id for one transition of one alert: BullMQ keeps one job per id, across replicas. */
export function pageJobId(alertId: string, transition: PageTransition): string {
  return `pg-${alertId.replace(/^al-/, '')}-${transition}`;
}

/** Job ids this process already queued, so a firing alert saved every sweep costs no Redis call. */
const MEMO_LIMIT = 10_000;

/**
 * An AlertStore that queues a page job after every saved change that is a pager transition. Every
 * path that changes an alert (sweeps, the Acknowledge button, `ack`, a pager webhook) saves through
 * the store by compare-and-set, so this one hook sees them all, exactly once per successful save; the
 * job id (one per alert and transition) makes replicas that save the same transition queue one job.
 * A failed enqueue is logged; an active alert is saved again at the next sweep and tries again.
 */
export class PagingAlertStore implements AlertStore {
  readonly #queued = new Set<string>();

  constructor(
    private readonly inner: AlertStore,
    private readonly deps: { fleet: () => Fleet; queue: JobQueue; logger: Logger },
  ) {}

  active(): Promise<Alert[]> { return this.inner.active(); }
  get(id: string): Promise<Alert | undefined> { return this.inner.get(id); }
  recent(limit: number): Promise<Alert[]> { return this.inner.recent(limit); }
  drop(id: string, expectedRev: number): Promise<boolean> { return this.inner.drop(id, expectedRev); }
  addSilence(silence: Silence): Promise<void> { return this.inner.addSilence(silence); }
  silences(): Promise<Silence[]> { return this.inner.silences(); }
  removeSilence(id: string): Promise<boolean> { return this.inner.removeSilence(id); }

  async create(alert: Alert): Promise<boolean> {
    const ok = await this.inner.create(alert);
    if (ok) await this.#page(alert);
    return ok;
  }

  async save(alert: Alert, expectedRev: number): Promise<boolean> {
    const ok = await this.inner.save(alert, expectedRev);
    if (ok) await this.#page(alert);
    return ok;
  }

  async #page(a: Alert): Promise<void> {
    const transition = transitionOf(a);
    if (!transition || pageTargetsFor(this.deps.fleet(), a).length === 0) return;
    const jobId = pageJobId(a.id, transition);
    if (this.#queued.has(jobId)) return;
    try {
      await this.deps.queue.enqueue('page', jobId, { v: 1, alertId: a.id, transition });
      if (this.#queued.size >= MEMO_LIMIT) this.#queued.clear();
      this.#queued.add(jobId);
    } catch (err) {
      this.deps.logger.error({ err: errorMessage(err), alert: a.id, transition }, 'could not queue the page; the next save of this alert tries again');
    }
  }
}
