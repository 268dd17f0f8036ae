import type { Fleet } from '../src/fleet/fleet.schema.ts';
import type { CheckerFor } from '../src/health/sweep.ts';
import type { AuditLog } from '../src/ports/audit.port.ts';
import type { Clock } from '../src/ports/clock.port.ts';
import type { Outbox } from '../src/ports/outbox.port.ts';
import type { StateStore } from '../src/ports/state.port.ts';
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
}
