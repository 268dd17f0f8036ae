import type { FleetNode } from '../../src/fleet/fleet.schema.ts';
import type { CapacityFacts } from '../../src/inventory/drift-report.ts';
import type { FactsLog } from '../../src/inventory/facts-log.ts';
import type { KeyValueStore } from '../../src/inventory/kv.port.ts';
import type { ProvisionDeps } from '../provision/provision-deps.ts';

/** What the drift job needs beyond WorkerDeps; each part it lacks is reported as not checked. */
export interface DriftDeps {
  /** Host facts (CPU, memory, data disk, NIC speed) for capacity drift. @defaultValue over SSH with WorkerDeps.ssh */
  hostFacts?: (node: FleetNode) => Promise<CapacityFacts>;
  /** Terraform runner and inventory, for count drift (a non-empty plan). */
  provision?: ProvisionDeps;
  /** Where the digest of the last posted report per environment is kept. */
  kv?: KeyValueStore;
  prefix?: string;
  /** Where gathered host facts are kept for `/chainops drift`. */
  factsLog?: FactsLog;
}
