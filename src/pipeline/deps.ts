import type { KpiHistory } from '../charts/kpi.types.ts';
import type { Fleet } from '../fleet/fleet.schema.ts';
import type { Snapshot } from '../health/snapshot.ts';
import type { AlertStore } from '../ports/alert.port.ts';
import type { AuditLog } from '../ports/audit.port.ts';
import type { Clock } from '../ports/clock.port.ts';
import type { JobQueue } from '../ports/queue.port.ts';
import type { Outbox } from '../ports/outbox.port.ts';
import type { RolloutStore } from '../ports/rollout.port.ts';
import type { StateStore } from '../ports/state.port.ts';
import type { ReleaseStore } from '../releases/release-store.port.ts';
import type { PromotionStore } from '../ports/promotion.port.ts';

/** Minimal structured logger (pino satisfies it). */
export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

/** Everything the command pipeline needs, injected by the composition root (or a test). */
export interface CoreDeps {
  /** The current fleet file (a function so `sync` can swap it without restarting). */
  fleet: () => Fleet;
  queue: JobQueue;
  state: StateStore;
  audit: AuditLog;
  /** Edits of messages the bot owns (approvals, jobs), delivered by whichever bot replica holds the chat connection. */
  outbox: Outbox;
  clock: Clock;
  logger: Logger;
  /** Check nodes over RPC right now (used when snapshots are missing or stale, and by `health`). */
  checkNow: (nodes: string[]) => Promise<Snapshot[]>;
  /** Rollout records, control requests and logs. */
  rollouts: RolloutStore;
  /**
   * sha256 of a group's playbook file (path as written in the fleet file), so an approval binds to
   * the playbook's content; undefined when the file cannot be read.
   */
  playbookDigest?: (playbook: string) => Promise<string | undefined>;
  /** Alerts and silences (`alerts`, `ack`, `silence`); without it those commands say it is not set up. */
  alerts?: AlertStore;
  /** Stored KPI history for `chart` (Redis); without it `chart` says it is not set up. */
  kpi?: KpiHistory;
  /** Known releases per group (`releases`, the upgrade check); without it `releases` says it is not set up. */
  releases?: ReleaseStore;
  /** Promotions (`promotion …`); without it those commands say it is not set up. */
  promotions?: PromotionStore;
  /** Short random id part, e.g. `4f2a9c`; injectable for deterministic tests. */
  newId: () => string;
}
