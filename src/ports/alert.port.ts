import type { Alert, Silence } from '../alerts/alert.types.ts';

/**
 * Alert state shared by workers (which evaluate) and bots (which acknowledge and silence). Every
 * change is a compare-and-set on `rev`, so a click and a sweep at the same moment cannot overwrite
 * each other: the loser re-reads and tries again (or leaves it to the next sweep).
 */
export interface AlertStore {
  /** Alerts in state pending, firing or acknowledged (one per key), any order. */
  active(): Promise<Alert[]>;
  /** One alert by id while it is kept (active, or resolved within the retention). */
  get(id: string): Promise<Alert | undefined>;
  /** Resolved alerts, newest first. */
  recent(limit: number): Promise<Alert[]>;
  /** Store a new alert (rev 0); false when its key already has an active alert or the id exists. */
  create(alert: Alert): Promise<boolean>;
  /** Save a change if nobody saved since `expectedRev`; stores rev + 1. False on a conflict. */
  save(alert: Alert, expectedRev: number): Promise<boolean>;
  /** Forget a pending alert that cleared before it fired; false on a conflict. */
  drop(id: string, expectedRev: number): Promise<boolean>;

  addSilence(silence: Silence): Promise<void>;
  /** Silences that have not expired yet (expired ones are pruned on the way). */
  silences(): Promise<Silence[]>;
  removeSilence(id: string): Promise<boolean>;
}
