import type { CoreDeps } from '../pipeline/deps.ts';
import type { FleetSource } from './fleet-source.port.ts';
import type { FleetView } from './fleet-view.ts';

/**
 * What `/chainops sync` needs beyond CoreDeps: where the fleet file comes from and the view that
 * puts a new one in force. The composition root adds it to the CoreDeps object it builds; a core
 * without it (unit tests, tools) answers `sync` with how to enable it.
 */
export interface GitopsDeps {
  gitops?: { source: FleetSource; view: FleetView };
}

export function gitopsOf(deps: CoreDeps): GitopsDeps['gitops'] {
  return (deps as CoreDeps & GitopsDeps).gitops;
}
