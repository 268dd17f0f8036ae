import type { FleetNode } from '../../src/fleet/fleet.schema.ts';
import type { HostFacts, SshRunner } from '../../src/ports/ssh.port.ts';
import { NodeSshRunner, type NodeSshRunnerOptions } from './ssh-runner.ts';

export type { HostFacts } from '../../src/ports/ssh.port.ts';
export { hostFactsScript, parseHostFacts } from './host-facts.script.ts';

export interface GatherOptions extends NodeSshRunnerOptions {
  /** Runner to use (shares its options); default a new NodeSshRunner with the options here. */
  runner?: SshRunner;
  /** @defaultValue 20 000 */
  timeoutMs?: number;
  /** Filesystem whose size and use are reported. @defaultValue / */
  path?: string;
}

/**
 * CPU count, memory, disk and load of a node over SSH (pinned host key, key file from
 * CHAINOPS_SSH_KEY_FILE). Used by the health worker's host job and by capacity drift.
 */
export async function gatherHostFacts(node: FleetNode, opts: GatherOptions = {}): Promise<HostFacts> {
  const runner = opts.runner ?? new NodeSshRunner(opts);
  return runner.hostFacts(node, { ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}), ...(opts.path ? { path: opts.path } : {}) });
}
