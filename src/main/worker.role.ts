import { driftProcessor } from '../../jobs/drift/drift.processor.ts';
import { healthProcessor } from '../../jobs/health/health.processor.ts';
import { notBuiltProcessor } from '../../jobs/not-built.processor.ts';
import { startWorkerHost } from '../../jobs/worker-host.ts';
import type { WorkerDeps } from '../../jobs/worker-deps.ts';
import { provisionJob, upgradeJob } from '../jobs/job-data.schema.ts';
import type { Runtime } from './runtime.ts';

const DAY_MS = 86_400_000;

/** Start the job processors and (idempotently, from any replica) the health-sweep and drift schedules. */
export async function startWorkerRole(rt: Runtime, opts: { concurrency: number }): Promise<{ close(): Promise<void> }> {
  const deps: WorkerDeps = {
    fleet: rt.fleet,
    checkerFor: rt.checkers,
    state: rt.state,
    audit: rt.audit,
    outbox: rt.outbox,
    clock: rt.core.clock,
    logger: rt.logger,
  };
  const host = await startWorkerHost({
    redisUrl: rt.redisUrl,
    prefix: rt.prefix,
    concurrency: opts.concurrency,
    logger: rt.logger,
    processors: {
      health: healthProcessor(deps),
      drift: driftProcessor(deps),
      upgrade: notBuiltProcessor(deps, upgradeJob, 'Executing rolling upgrades (Ansible waves with health gates)', 'issue #6'),
      provision: notBuiltProcessor(deps, provisionJob, 'Provisioning with Terraform', 'issue #7'),
    },
  });
  await rt.queue.upsertSchedule('health', 'health-sweep', rt.fleet().health.interval, { v: 1, kind: 'sweep' });
  await rt.queue.upsertSchedule('drift', 'drift-daily', DAY_MS, { v: 1 });
  rt.logger.info({ everyMs: rt.fleet().health.interval }, 'health sweeps scheduled');
  return host;
}
