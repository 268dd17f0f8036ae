import type { FactsLog } from '../inventory/facts-log.ts';
import type { PlanLog } from '../inventory/plan-log.ts';
import type { CoreDeps } from '../pipeline/deps.ts';
import type { FleetSource } from './fleet-source.port.ts';
import type { FleetView } from './fleet-view.ts';

/**
 * What `/chainops sync` and `/chainops drift` need beyond CoreDeps: where the fleet file comes from,
 * the view that puts a new one in force, and the last Terraform plans. The composition root adds it
 * to the CoreDeps object it builds; a core without it (unit tests, tools) answers `sync` with how to
 * enable it, and `drift` without count drift.
 */
export interface GitopsDeps {
  gitops?: { source: FleetSource; view: FleetView; planLog?: PlanLog; factsLog?: FactsLog };
}

export function gitopsOf(deps: CoreDeps): GitopsDeps['gitops'] {
  return (deps as CoreDeps & GitopsDeps).gitops;
}
