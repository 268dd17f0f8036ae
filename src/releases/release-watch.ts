import { errorMessage as errText } from '../errors.ts';
import type { Fleet } from '../fleet/fleet.schema.ts';
import type { Logger } from '../pipeline/deps.ts';
import type { AuditLog } from '../ports/audit.port.ts';
import type { Clock } from '../ports/clock.port.ts';
import type { Outbox } from '../ports/outbox.port.ts';
import type { StateStore } from '../ports/state.port.ts';
import { isoTime } from '../render/basic.messages.ts';
import { releasePostMessage, type OlderNode } from '../render/release.message.ts';
import { filterReleases, sourceKey, sourceLabel, staticReleases } from './release-filter.ts';
import type { ReleaseFetcher } from './release-source.port.ts';
import type { ReleaseSourceConfig } from './release-source.schema.ts';
import type { ReleaseStore } from './release-store.port.ts';
import { firstStageEnv, releaseKey, releaseTargets } from './release-targets.ts';
import type { FetchResult, GroupReleases, Release } from './release.types.ts';
import { compareVersionText } from './semver.ts';

/** What the promotion pipeline hears about a new release (contract #16: wired in worker.role.ts). */
export interface NewReleaseEvent {
  group: string;
  version: string;
  url?: string;
  publishedAt?: string;
}

export interface ReleaseWatchDeps {
  fleet: () => Fleet;
  store: ReleaseStore;
  fetcher: ReleaseFetcher;
  state: Pick<StateStore, 'getSnapshots'>;
  outbox: Outbox;
  audit: AuditLog;
  clock: Clock;
  logger: Logger;
  /** Called once per (group, version), after its post was published. */
  onNewRelease?: (e: NewReleaseEvent) => Promise<void>;
}

/** How long the first post of a source waits for the group's first health snapshots. */
export const SNAPSHOT_WAIT_MS = 180_000;
const SNAPSHOT_RECHECK_MS = 20_000;

async function anySnapshot(fleet: Fleet, state: Pick<StateStore, 'getSnapshots'>, group: string): Promise<boolean> {
  const nodes = fleet.nodes.filter((n) => n.group === group).map((n) => n.name);
  return nodes.length === 0 || (await state.getSnapshots(nodes)).length > 0;
}

export interface GroupPoll {
  group: string;
  /** `waiting`: the first post waits for the group's first health snapshots (see SNAPSHOT_WAIT_MS). */
  outcome: 'skipped' | 'changed' | 'unchanged' | 'rate-limited' | 'failed' | 'waiting';
  announced: string[];
}

/**
 * One round of the release watch (run by the scheduled `release` job on any worker replica): poll
 * every group whose source is due, store what it lists, and announce new versions — each (group,
 * version) once across all replicas, by a SET NX claim taken before the post. The first poll of a
 * source announces only its newest release; the older ones are claimed silently as the baseline.
 */
export async function pollReleases(deps: ReleaseWatchDeps, opts: { force?: boolean } = {}): Promise<GroupPoll[]> {
  const fleet = deps.fleet();
  const out: GroupPoll[] = [];
  for (const [group, g] of Object.entries(fleet.groups)) {
    const cfg = g.releases;
    if (!cfg) continue;
    out.push(await pollGroup(deps, fleet, group, cfg, opts.force === true).catch((err: unknown) => {
      deps.logger.warn({ group, err: errText(err) }, 'release watch failed for a group');
      return { group, outcome: 'failed' as const, announced: [] };
    }));
  }
  return out;
}

async function pollGroup(deps: ReleaseWatchDeps, fleet: Fleet, group: string, cfg: ReleaseSourceConfig, force: boolean): Promise<GroupPoll> {
  const now = deps.clock.now();
  const key = sourceKey(cfg);
  const stored = await deps.store.get(group);
  // A changed source or filter starts over: its ETag and list belong to the old settings.
  const prev: GroupReleases | undefined = stored?.sourceKey === key ? stored : undefined;
  const due = force || (now >= (prev?.retryAt ?? 0) && now >= (prev?.triedAt ?? 0) + cfg.interval);
  if (!due) return { group, outcome: 'skipped', announced: [] };
  const base: GroupReleases = { sourceKey: key, releases: prev?.releases ?? [], ...(prev?.etag ? { etag: prev.etag } : {}), ...(prev?.polledAt ? { polledAt: prev.polledAt } : {}), triedAt: now };
  let result: FetchResult;
  try {
    result = cfg.source === 'static' ? { kind: 'changed', releases: staticReleases(cfg) } : await deps.fetcher.fetch(cfg, prev?.etag ? { etag: prev.etag } : {});
  } catch (err) {
    const why = errText(err).slice(0, 300);
    deps.logger.warn({ group, source: sourceLabel(cfg), err: why }, 'release source poll failed; trying again at the next interval');
    await deps.store.put(group, { ...base, error: why });
    return { group, outcome: 'failed', announced: [] };
  }
  if (result.kind === 'rate-limited') {
    deps.logger.warn({ group, source: sourceLabel(cfg), retryAt: isoTime(result.retryAt), why: result.why }, `release source rate-limited; next poll after ${isoTime(result.retryAt)}`);
    await deps.store.put(group, { ...base, retryAt: result.retryAt });
    return { group, outcome: 'rate-limited', announced: [] };
  }
  const releases = result.kind === 'changed' ? filterReleases(result.releases, cfg) : base.releases;
  const etag = result.kind === 'changed' ? result.etag : base.etag;
  // A worker that just started has not checked any node yet: the first post waits (a little) for the
  // group's first snapshots, so it can say who runs an older version.
  const first = prev?.polledAt === undefined;
  const waitingSince = prev?.waitingSince ?? now;
  if (first && now - waitingSince < SNAPSHOT_WAIT_MS && !(await anySnapshot(fleet, deps.state, group))) {
    await deps.store.put(group, { sourceKey: key, releases, ...(etag ? { etag } : {}), waitingSince, retryAt: now + SNAPSHOT_RECHECK_MS });
    return { group, outcome: 'waiting', announced: [] };
  }
  // Claims first, state second: a replica that sees this poll stored also sees its baseline claimed.
  const announced = await announce(deps, fleet, group, cfg, releases, first);
  if (result.retryAt && result.retryAt > now) deps.logger.info({ group, retryAt: isoTime(result.retryAt) }, 'release source quota used up; next poll after its reset');
  await deps.store.put(group, {
    sourceKey: key, releases, triedAt: now, polledAt: now,
    ...(etag ? { etag } : {}),
    ...(result.retryAt && result.retryAt > now ? { retryAt: result.retryAt } : {}),
  });
  return { group, outcome: result.kind, announced };
}

async function announce(deps: ReleaseWatchDeps, fleet: Fleet, group: string, cfg: ReleaseSourceConfig, releases: Release[], first: boolean): Promise<string[]> {
  const ignored = new Set(await deps.store.ignored(group));
  const offered = releases.filter((r) => !ignored.has(r.version));
  const announced: string[] = [];
  for (const [i, r] of offered.entries()) {
    if (first && i > 0) {
      await deps.store.claim(group, r.version, 'baseline');
      continue;
    }
    if (!(await deps.store.claim(group, r.version, 'posted'))) continue;
    try {
      await postRelease(deps, fleet, group, cfg, r);
    } catch (err) {
      // Not posted: give the claim back so the next poll (here or on another replica) tries again.
      await deps.store.unclaim(group, r.version).catch(() => undefined);
      throw err;
    }
    announced.push(r.version);
    await deps.audit.append({ at: deps.clock.now(), actor: 'system', action: 'release.announce', detail: `${group} ${r.version} (${sourceLabel(cfg)})${r.security ? ' security' : ''}`, outcome: 'ok' });
    if (deps.onNewRelease) {
      await deps.onNewRelease({ group, version: r.version, ...(r.url ? { url: r.url } : {}), ...(r.publishedAt ? { publishedAt: r.publishedAt } : {}) }).catch((err: unknown) =>
        deps.logger.warn({ group, version: r.version, err: errText(err) }, 'new-release hook failed'),
      );
    }
  }
  return announced;
}

/** Nodes of the group that run a version older than `version`, and how many have no snapshot yet. */
export async function olderNodes(fleet: Fleet, state: Pick<StateStore, 'getSnapshots'>, group: string, version: string): Promise<{ older: OlderNode[]; unknown: number }> {
  const nodes = fleet.nodes.filter((n) => n.group === group);
  const snaps = nodes.length ? await state.getSnapshots(nodes.map((n) => n.name)) : [];
  const byNode = new Map(snaps.map((s) => [s.node, s]));
  const older: OlderNode[] = [];
  let unknown = 0;
  for (const n of nodes) {
    const v = byNode.get(n.name)?.version;
    if (!v) unknown++;
    else if (compareVersionText(v, version) < 0) older.push({ node: n.name, env: n.env, version: v });
  }
  return { older, unknown };
}

/** The post for one release of a group, as it looks now (also used to mark it ignored). */
export async function releasePost(fleet: Fleet, state: Pick<StateStore, 'getSnapshots'>, group: string, cfg: ReleaseSourceConfig, r: Release, ignoredBy?: string) {
  const { older, unknown } = await olderNodes(fleet, state, group, r.version);
  const upgradeEnv = firstStageEnv(fleet, group);
  return releasePostMessage({ group, client: fleet.groups[group]?.client ?? group, release: r, source: sourceLabel(cfg), older, unknown, ...(upgradeEnv ? { upgradeEnv } : {}), ...(ignoredBy ? { ignoredBy } : {}) });
}

async function postRelease(deps: ReleaseWatchDeps, fleet: Fleet, group: string, cfg: ReleaseSourceConfig, r: Release): Promise<void> {
  const targets = releaseTargets(fleet, group);
  if (!targets.length) {
    deps.logger.warn({ group, version: r.version }, 'new release, but the group has no channel (alerts.routes or environments.*.channels); not posted');
    return;
  }
  const message = await releasePost(fleet, deps.state, group, cfg, r);
  for (const [i, conversation] of targets.entries()) {
    await deps.outbox.publish({ op: 'upsert', key: releaseKey(group, r.version, conversation, i), conversation, message });
  }
}
