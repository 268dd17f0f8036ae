import { healthJob } from '../../src/jobs/job-data.schema.ts';
import { assessFleet } from '../../src/health/fleet-health.ts';
import { sweep } from '../../src/health/sweep.ts';
import { nodesMessage } from '../../src/render/status.message.ts';
import type { JobContext } from '../job-context.ts';
import { parseJobData } from '../parse-job-data.ts';
import type { WorkerDeps } from '../worker-deps.ts';

/**
 * Health sweep: check the nodes over RPC with bounded concurrency, store the snapshots (latest and
 * short history), and report to chat when the job was asked for from a conversation.
 */
export function healthProcessor(deps: WorkerDeps) {
  return async (job: JobContext<unknown>) => {
    const data = parseJobData(healthJob, job.data, job.id);
    const fleet = deps.fleet();
    const snapshots = await sweep(fleet, deps.checkerFor, {
      concurrency: fleet.health.concurrency,
      timeoutMs: fleet.health.timeout,
      now: () => deps.clock.now(),
      ...(data.nodes ? { nodes: data.nodes } : {}),
    });
    await deps.state.putSnapshots(snapshots);
    const health = assessFleet(fleet, snapshots, deps.clock.now());
    const names = new Set(snapshots.map((s) => s.node));
    const nodes = health.nodes.filter((n) => names.has(n.node));
    if (data.report) {
      await deps.outbox.publish({ op: 'upsert', key: data.report.key, conversation: data.report.conversation, message: nodesMessage('Health check', nodes, deps.clock.now()) });
    }
    const count = (s: string) => nodes.filter((n) => n.status === s).length;
    return { checked: snapshots.length, healthy: count('healthy'), degraded: count('degraded'), down: count('down') };
  };
}
