import { driftProcessor } from '../../jobs/drift/drift.processor.ts';
import { healthProcessor } from '../../jobs/health/health.processor.ts';
import { remediateProcessor } from '../../jobs/remediate/remediate.processor.ts';
import { NodeSshRunner } from '../../adapters/ssh/ssh-runner.ts';
import { provisionProcessor } from '../../jobs/provision/provision.processor.ts';
import type { ProvisionDeps } from '../../jobs/provision/provision-deps.ts';
import { terraformFor } from '../../adapters/terraform/terraform-for.ts';
import { PlanLog } from '../inventory/plan-log.ts';
import { FactsLog } from '../inventory/facts-log.ts';
import { startWorkerHost } from '../../jobs/worker-host.ts';
import { startShardedSweeper } from '../../jobs/health/sharded-sweeper.ts';
import { RedisSweepDigests } from '../../adapters/redis/redis-sweep-digests.ts';
import { RedisSweepMembers } from '../../adapters/redis/redis-sweep-members.ts';
import { storePrefix } from '../ports/key-layout.ts';
import { createRedis } from '../../adapters/redis/redis-connection.ts';
import type { WorkerDeps } from '../../jobs/worker-deps.ts';
import { hostname } from 'node:os';
import { AnsiblePlaybookRunner } from '../../adapters/ansible/ansible-playbook.runner.ts';
import { upgradeProcessor } from '../../jobs/upgrade/upgrade.processor.ts';
import { withMetricsHttp } from './metrics-http.ts';
import type { Env } from './env.ts';
import { newId, type Runtime } from './runtime.ts';
import { pageProcessor } from '../../jobs/page/page.processor.ts';
import { PAGE_ATTEMPTS } from '../../jobs/page/page-job.schema.ts';
import { HttpPager } from '../../adapters/paging/http-pager.ts';
import { RedisPageClaims } from '../../adapters/paging/redis-page-claims.ts';
import { readPagingEnv } from './paging-env.ts';
import { releaseProcessor, RELEASE_TICK_MS } from '../../jobs/release/release.processor.ts';
import { HttpReleaseFetcher } from '../../adapters/releases/http-release.fetcher.ts';
import { RedisReleaseStore } from '../../adapters/redis/redis-release.store.ts';
import { readReleaseEnv } from './release-env.ts';
import { promotionProcessor } from '../../jobs/promotion/promotion.processor.ts';
import { startPromotionOnRelease } from '../promotion/start-promotion.ts';

const DAY_MS = 86_400_000;

/** Start the job processors and (idempotently, from any replica) the health-sweep and drift schedules. */
export interface WorkerRoleOptions {
  concurrency: number;
  /** `CHAINOPS_SSH_KEY_FILE` */
  sshKeyFile?: string;
  /** `CHAINOPS_LEASE_MS` @defaultValue 30 000 */
  leaseMs?: number;
  /** `CHAINOPS_JOB_LOCK_MS` @defaultValue the worker host's */
  jobLockMs?: number;
  /** `CHAINOPS_WORKER_STUCK_MS` @defaultValue the worker host's (10 s) */
  stuckMs?: number;
}

/** The worker role's options from the parsed environment. */
export function workerOptions(env: Env): WorkerRoleOptions {
  return {
    concurrency: env.WORKER_CONCURRENCY,
    leaseMs: env.CHAINOPS_LEASE_MS,
    ...(env.CHAINOPS_SSH_KEY_FILE ? { sshKeyFile: env.CHAINOPS_SSH_KEY_FILE } : {}),
    ...(env.CHAINOPS_JOB_LOCK_MS ? { jobLockMs: env.CHAINOPS_JOB_LOCK_MS } : {}),
    ...(env.CHAINOPS_WORKER_STUCK_MS ? { stuckMs: env.CHAINOPS_WORKER_STUCK_MS } : {}),
  };
}

export async function startWorkerRole(rt: Runtime, opts: WorkerRoleOptions): Promise<{ close(): Promise<void> }> {
  const deps: WorkerDeps = {
    fleet: rt.fleet,
    checkerFor: rt.checkers,
    state: rt.state,
    audit: rt.audit,
    outbox: rt.outbox,
    clock: rt.core.clock,
    logger: rt.logger,
    rollouts: rt.rollouts,
    playbooks: new AnsiblePlaybookRunner({ ...(opts.sshKeyFile ? { privateKeyFile: opts.sshKeyFile } : {}) }),
    fleetDir: rt.fleetDir,
    playbookDigest: (playbook) => rt.core.playbookDigest?.(playbook) ?? Promise.resolve(undefined),
    workerId: `${hostname()}-${process.pid}-${newId()}`,
    leaseMs: opts.leaseMs ?? 30_000,
    alerts: rt.alerts,
    ssh: new NodeSshRunner(),
    queue: rt.queue,
  };
  // Terraform provisioning (issue #7): the runner per job, the Terraform-derived inventory in Redis.
  const provision: ProvisionDeps = {
    terraform: terraformFor,
    inventory: rt.fleetView.inventory,
    planLog: new PlanLog(rt.fleetView.kv, storePrefix(rt.prefix, 'fleet')),
    refreshFleet: () => rt.fleetView.refresh(true),
    fleetDir: rt.fleetDir,
    playbooks: deps.playbooks,
    newId,
  };
  const pagingEnv = readPagingEnv();
  const releaseEnv = readReleaseEnv();
  const host = await startWorkerHost({
    redisUrl: rt.redisUrl,
    connect: () => createRedis(rt.redisUrl, 'worker', rt.logger),
    ...(opts.stuckMs ? { stuckMs: opts.stuckMs } : {}),
    prefix: rt.prefix,
    concurrency: opts.concurrency,
    logger: rt.logger,
    ...(opts.jobLockMs ? { lockDurationMs: opts.jobLockMs } : {}),
    processors: {
      health: healthProcessor(deps),
      drift: driftProcessor(deps, { provision, kv: rt.fleetView.kv, prefix: storePrefix(rt.prefix, 'fleet'), factsLog: new FactsLog(rt.fleetView.kv, storePrefix(rt.prefix, 'fleet')) }),
      upgrade: upgradeProcessor(deps),
      remediate: remediateProcessor(deps),
      provision: provisionProcessor(deps, provision),
      // Paging (issue #19): alert transitions to PagerDuty / signed webhooks, retried by the queue.
      page: pageProcessor({
        fleet: rt.fleet, alerts: rt.alerts, outbox: rt.outbox, queue: rt.queue, clock: rt.core.clock, logger: rt.logger,
        pager: new HttpPager({ ...(pagingEnv.PAGERDUTY_EVENTS_URL ? { eventsUrl: pagingEnv.PAGERDUTY_EVENTS_URL } : {}) }),
        claims: new RedisPageClaims(rt.connect('state'), rt.prefix),
        attempts: PAGE_ATTEMPTS,
      }),
      // Release watch (issue #16): one scheduled tick polls the groups' release sources; claims make each post once.
      release: releaseProcessor({
        fleet: rt.fleet, state: rt.state, outbox: rt.outbox, audit: rt.audit, clock: rt.core.clock, logger: rt.logger,
        store: rt.core.releases ?? new RedisReleaseStore(rt.connect('state'), storePrefix(rt.prefix, 'releases')),
        // A group whose `promotion.start` is `on_release` starts a promotion of each version posted (docs/promotion.md).
        onNewRelease: (e) => startPromotionOnRelease(rt.core, e),
        fetcher: new HttpReleaseFetcher({
          github: { ...(releaseEnv.GITHUB_API_URL ? { apiUrl: releaseEnv.GITHUB_API_URL } : {}), ...(releaseEnv.GITHUB_TOKEN ? { token: releaseEnv.GITHUB_TOKEN } : {}) },
          npm: { ...(releaseEnv.NPM_REGISTRY_URL ? { registryUrl: releaseEnv.NPM_REGISTRY_URL } : {}) },
        }),
      }),
      // Promotions (issue #16): one tick job at a time per promotion; each stage is an ordinary upgrade.
      promotion: promotionProcessor({ core: rt.core, workerId: deps.workerId, leaseMs: deps.leaseMs }),
    },
  });
  // Health sweeps are sharded over the live workers (jobs/health/sharded-sweeper.ts); the single
  // BullMQ-scheduled whole-fleet sweep of earlier versions is removed so no node is checked twice.
  await rt.queue.removeSchedule('health', 'health-sweep');
  const sweepConn = rt.connect('state');
  const sweepDigests = new RedisSweepDigests(sweepConn, storePrefix(rt.prefix, 'sweepers'));
  const sweeper = startShardedSweeper({
    members: new RedisSweepMembers(sweepConn, storePrefix(rt.prefix, 'sweepers')),
    id: deps.workerId,
    nodes: () => rt.fleet().nodes,
    intervalMs: () => rt.fleet().health.interval,
    sweep: (nodes, round, wide, members) =>
      healthProcessor(deps, { wide, share: { me: deps.workerId, members, digests: sweepDigests } })({ id: `sweep-${round}-${deps.workerId}`, queue: 'health', data: { v: 1, kind: 'sweep', ...(nodes ? { nodes } : {}) }, attempt: 1, progress: async () => {}, log: async () => {} }),
    logger: rt.logger,
  });
  await rt.queue.upsertSchedule('drift', 'drift-daily', DAY_MS, { v: 1 });
  await rt.queue.upsertSchedule('release', 'release-watch', releaseEnv.CHAINOPS_RELEASE_TICK_MS ?? RELEASE_TICK_MS, { v: 1 });
  // Host facts over SSH on their own, slower schedule (only when some node has ssh: settings).
  if (rt.fleet().nodes.some((n) => n.ssh)) await rt.queue.upsertSchedule('health', 'host-facts', rt.fleet().health.host_interval ?? 300_000, { v: 1, kind: 'host' });
  rt.logger.info({ everyMs: rt.fleet().health.interval }, 'health sweeps scheduled');
  return withMetricsHttp(rt, { close: () => sweeper.stop().then(() => host.close()) });
}
