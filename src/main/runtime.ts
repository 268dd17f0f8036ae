import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type pino from 'pino';
import { RedisOutbox } from '../../adapters/outbox/redis.outbox.ts';
import { BullJobQueue } from '../../adapters/queue/bullmq.queue.ts';
import { RedisAlertStore } from '../../adapters/redis/redis-alert.store.ts';
import { RedisAuditLog } from '../../adapters/redis/redis-audit.log.ts';
import { closeRedis, createRedis } from '../../adapters/redis/redis-connection.ts';
import { RedisStateStore } from '../../adapters/redis/redis-state.store.ts';
import { storePrefix } from '../ports/key-layout.ts';
import { RedisRolloutStore } from '../../adapters/redis/redis-rollout.store.ts';
import { RedisReleaseStore } from '../../adapters/redis/redis-release.store.ts';
import { RedisPromotionStore } from '../../adapters/redis/redis-promotion.store.ts';
import { playbookTreeDigest } from './playbook-digest.ts';
import { createCheckers, type CheckerRegistry } from '../../adapters/rpc/checker-registry.ts';
import type { Fleet } from '../fleet/fleet.schema.ts';
import { loadFleet } from '../fleet/fleet.load.ts';
import { guardSettingsFromEnv, type FleetGuardSettings } from '../fleet/fleet-guard.settings.ts';
import { sweep } from '../health/sweep.ts';
import type { CoreDeps } from '../pipeline/deps.ts';
import { systemClock } from '../ports/clock.port.ts';
import type { Redis } from 'ioredis';
import { FileFleetSource, GitFleetSource } from '../../adapters/git/git-fleet.source.ts';
import type { FleetSource } from '../gitops/fleet-source.port.ts';
import { FleetView, fleetRev } from '../gitops/fleet-view.ts';
import type { GitopsDeps } from '../gitops/gitops.deps.ts';
import { readGitopsEnv, type GitopsSettings } from '../gitops/gitops-env.ts';
import { PlanLog } from '../inventory/plan-log.ts';
import { processRedactor } from '../secrets/process-secrets.ts';
import { redactWrites } from '../secrets/redacting-ports.ts';
import { FactsLog } from '../inventory/facts-log.ts';
import type { AlertStore } from '../ports/alert.port.ts';
import { PagingAlertStore } from '../paging/paging-alert-store.ts';
import { PAGE_ATTEMPTS, PAGE_BACKOFF } from '../../jobs/page/page-job.schema.ts';

/** The shared pieces every process role (bot, worker, console) is built from. */
export interface Runtime {
  redisUrl: string;
  /** The install's base prefix (CHAINOPS_PREFIX); stores and queues add their hash tags (docs/redis-keys.md). */
  prefix: string;
  logger: pino.Logger;
  fleet: () => Fleet;
  checkers: CheckerRegistry;
  state: RedisStateStore;
  audit: RedisAuditLog;
  queue: BullJobQueue;
  outbox: RedisOutbox;
  /** Alert state; every saved pager transition also queues a page job (alerts.routes `page:`). */
  alerts: AlertStore;
  rollouts: RedisRolloutStore;
  /** Directory of the fleet file: playbook and module paths in it are relative to it. */
  fleetDir: string;
  /** The fleet in force (fleet file or synced revision, plus Terraform-derived nodes); `fleet()` reads it. */
  fleetView: FleetView;
  /** Where `/chainops sync` pulls the fleet file from. */
  fleetSource: FleetSource;
  core: CoreDeps;
  /** PING over the state connection (for /healthz): resolves when Redis answers. */
  pingRedis(): Promise<unknown>;
  /** A new Redis connection of this runtime (closed by `close()`). */
  connect(kind: 'worker' | 'events' | 'state'): Redis;
  close(): Promise<void>;
}

/** Short random id part for approvals and jobs: 8 base-36 characters. */
export function newId(): string {
  return BigInt(`0x${randomBytes(6).toString('hex')}`).toString(36).padStart(8, '0').slice(-8);
}

/** Load the fleet file and connect to Redis. Throws a clear error for a bad file or URL. */
export async function createRuntime(opts: {
  redisUrl: string;
  prefix: string;
  fleetPath: string;
  logger: pino.Logger;
  /** Fleet file from git; default from CHAINOPS_FLEET_GIT/_REF/_PATH, `null` = the file on disk. */
  fleetGit?: GitopsSettings | null;
  /** How often this process looks for a synced fleet or a changed inventory. @defaultValue 2000 ms */
  fleetPollMs?: number;
  /** What the fleet file may name (secrets, paths). @defaultValue from CHAINOPS_SECRET_PREFIX, CHAINOPS_SECRET_ALLOW, CHAINOPS_SECRETS_DIR, CHAINOPS_FLEET_ROOT */
  guard?: FleetGuardSettings;
}): Promise<Runtime> {
  const guard = opts.guard ?? guardSettingsFromEnv(process.env, opts.fleetPath);
  const fleet = await loadFleet(opts.fleetPath, { guard });
  const fleetText = await readFile(opts.fleetPath, 'utf8');
  const git = opts.fleetGit === undefined ? readGitopsEnv(process.env) : (opts.fleetGit ?? undefined);
  const fleetSource: FleetSource = git ? new GitFleetSource(git) : new FileFleetSource(opts.fleetPath);
  const connections: Redis[] = [];
  const connect = (kind: 'worker' | 'events' | 'state' | 'producer') => {
    const c = createRedis(opts.redisUrl, kind, opts.logger);
    connections.push(c);
    return c;
  };
  const stateRedis = connect('state');
  // Each store under its own Cluster hash tag (docs/redis-keys.md); BullMQ tags each queue itself.
  const tag = (store: Parameters<typeof storePrefix>[1]) => storePrefix(opts.prefix, store);
  const state = new RedisStateStore(stateRedis, { prefix: tag('state'), kpiBucketMs: fleet.health.interval });
  const audit = new RedisAuditLog(stateRedis, { prefix: tag('audit'), logger: opts.logger });
  const queue = new BullJobQueue({ connection: connect('producer'), prefix: opts.prefix, logger: opts.logger, jobOptions: {
    page: { attempts: PAGE_ATTEMPTS, backoff: PAGE_BACKOFF },
    // The release watch ticks every minute: keep a day of its (tiny) finished jobs, not the default week.
    release: { removeOnComplete: { age: 86_400, count: 200 }, removeOnFail: { age: 86_400, count: 200 } },
  } });
  const outbox = new RedisOutbox(stateRedis, opts.prefix);
  const alerts = new PagingAlertStore(new RedisAlertStore(stateRedis, { prefix: tag('alerts') }), { fleet: () => fleetView.current(), queue, logger: opts.logger });
  const rollouts = new RedisRolloutStore(stateRedis, { prefix: tag('rollouts') });
  // One redactor between this process and chat (outbox), the audit log and job logs.
  redactWrites(processRedactor(), { outbox, audit, rollouts });
  const checkers = createCheckers();
  const fleetView = new FleetView({ base: fleet, baseRev: fleetRev(fleetText), sourceId: fleetSource.id, preferSynced: fleetSource.kind === 'git', kv: stateRedis, prefix: tag('fleet'), logger: opts.logger, guard });
  await fleetView.refresh(true);
  fleetView.start(opts.fleetPollMs ?? 2_000);
  // Each call returns the fleet in force now; `sync` and inventory changes swap it whole.
  const current = () => fleetView.current();
  const core: CoreDeps & GitopsDeps = {
    fleet: current,
    queue,
    state,
    audit,
    outbox,
    clock: systemClock,
    logger: opts.logger,
    newId,
    alerts,
    rollouts,
    promotions: new RedisPromotionStore(stateRedis, { prefix: tag('rollouts') }),
    kpi: state,
    releases: new RedisReleaseStore(stateRedis, tag('releases')),
    playbookDigest: (playbook) => playbookTreeDigest(resolve(dirname(opts.fleetPath), playbook), { exclude: [opts.fleetPath] }),
    checkNow: (nodes) => {
      const f = current();
      return sweep(f, checkers, { nodes, concurrency: f.health.concurrency, timeoutMs: f.health.timeout, now: () => Date.now() });
    },
    gitops: { source: fleetSource, view: fleetView, planLog: new PlanLog(stateRedis, tag('fleet')), factsLog: new FactsLog(stateRedis, tag('fleet')) },
  };
  return {
    redisUrl: opts.redisUrl,
    prefix: opts.prefix,
    logger: opts.logger,
    fleet: current,
    checkers,
    state,
    audit,
    queue,
    outbox,
    alerts,
    rollouts,
    fleetDir: dirname(resolve(opts.fleetPath)),
    fleetView,
    fleetSource,
    core,
    connect: (kind) => connect(kind),
    pingRedis: () => stateRedis.ping(),
    async close() {
      fleetView.stop();
      await queue.close().catch(() => undefined);
      await checkers.close().catch(() => undefined);
      await Promise.all(connections.map((c) => closeRedis(c)));
    },
  };
}
