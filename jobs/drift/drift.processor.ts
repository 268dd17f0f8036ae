import { driftJob } from '../../src/jobs/job-data.schema.ts';
import { sameVersion } from '../../src/health/version.ts';
import type { JobContext } from '../job-context.ts';
import { parseJobData } from '../parse-job-data.ts';
import type { WorkerDeps } from '../worker-deps.ts';

/**
 * Version drift from the latest snapshots (RPC-reported version vs the group's desired version).
 * Capacity drift over SSH and count drift from Terraform are issue #7.
 */
export function driftProcessor(deps: WorkerDeps) {
  return async (job: JobContext<unknown>) => {
    const data = parseJobData(driftJob, job.data, job.id);
    const fleet = deps.fleet();
    const nodes = fleet.nodes.filter((n) => !data.env || n.env === data.env);
    const snaps = new Map((await deps.state.getSnapshots(nodes.map((n) => n.name))).map((s) => [s.node, s]));
    const drift = nodes
      .map((n) => ({ node: n.name, desired: fleet.groups[n.group]!.desired_version, running: snaps.get(n.name)?.version }))
      .filter((d) => !d.running || !sameVersion(d.running, d.desired));
    if (data.report) {
      const rows = drift.map((d) => [d.node, d.running ?? 'unknown', d.desired]);
      await deps.outbox.publish({
        op: 'upsert', key: data.report.key, conversation: data.report.conversation,
        message: {
          text: drift.length ? `${drift.length} nodes drift from the desired version` : 'No version drift',
          severity: drift.length ? 'warn' : 'ok',
          blocks: [{ type: 'header', text: 'Version drift' }, drift.length ? { type: 'table', columns: ['node', 'running', 'desired'], rows } : { type: 'text', text: 'Every node runs its desired version.' }],
        },
      });
    }
    return { nodes: nodes.length, drifting: drift.length, drift };
  };
}
