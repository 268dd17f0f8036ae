import type { Fleet } from '../src/fleet/fleet.schema.ts';
import type { CheckerFor } from '../src/health/sweep.ts';
import type { AlertStore } from '../src/ports/alert.port.ts';
import type { AuditLog } from '../src/ports/audit.port.ts';
import type { Clock } from '../src/ports/clock.port.ts';
import type { Outbox } from '../src/ports/outbox.port.ts';
import type { PlaybookRunner } from '../src/ports/playbook.port.ts';
import type { RolloutStore } from '../src/ports/rollout.port.ts';
import type { StateStore } from '../src/ports/state.port.ts';
import type { JobQueue } from '../src/ports/queue.port.ts';
import type { SshRunner } from '../src/ports/ssh.port.ts';
import type { Logger } from '../src/pipeline/deps.ts';

/** What processors need, injected by the composition root. */
export interface WorkerDeps {
  fleet: () => Fleet;
  checkerFor: CheckerFor;
  state: StateStore;
  audit: AuditLog;
  outbox: Outbox;
  clock: Clock;
  logger: Logger;
  /** Alert state; without it health sweeps raise no alerts. */
  alerts?: AlertStore;
  /** SSH to nodes (host facts, remediation, diagnostics); without it those are refused plainly. */
  ssh?: SshRunner;
  /** Queue for jobs a processor starts (automatic remediation after a sweep). */
  queue?: JobQueue;
  /** Rollout checkpoints, control requests and logs (upgrade jobs). */
  rollouts: RolloutStore;
  /** Runs Ansible playbooks (upgrade and bootstrap jobs). */
  playbooks: PlaybookRunner;
  /** Directory of the fleet file; playbook paths in it are relative to it. */
  fleetDir: string;
  /**
   * Digest of a group's playbook (as written in the fleet file) and every file Ansible may read for
   * it — the same function the bot hashes approvals with (`playbookTreeDigest`).
   */
  playbookDigest: (playbook: string) => Promise<string | undefined>;
  /** This worker process, unique per start (holder of node leases). */
  workerId: string;
  /** Lease length of locks held by jobs, renewed every third of it. @defaultValue 30 000 */
  leaseMs: number;
}
