import type { Fleet } from '../fleet/fleet.schema.ts';
import { sameVersion } from '../health/version.ts';
import { sourceLabel } from './release-filter.ts';
import type { ReleaseStore } from './release-store.port.ts';

/**
 * What an approver should notice about upgrading `group` to `version` given its release source: a
 * version the source does not list (a typo, a tag outside the range, a pre-release), or one someone
 * chose to ignore. Silent when the group has no source or the watch has not polled it yet, and when
 * the store cannot be read (a warning must never block an upgrade).
 */
export async function releaseWarnings(fleet: Fleet, store: ReleaseStore | undefined, group: string, version: string): Promise<string[]> {
  const cfg = fleet.groups[group]?.releases;
  if (!cfg || !store) return [];
  const [known, ignored] = await Promise.all([store.get(group), store.ignored(group)]).catch(() => [undefined, [] as string[]] as const);
  if (!known?.polledAt) return [];
  const out: string[] = [];
  if (!known.releases.some((r) => sameVersion(r.version, version))) {
    out.push(`⚠ ${version} is not a release listed by ${sourceLabel(cfg)} (range ${cfg.range}${cfg.prereleases ? '' : ', no pre-releases'}) — check the version; \`/chainops releases ${group}\` lists the known ones`);
  }
  if (ignored.some((v) => sameVersion(v, version))) out.push(`⚠ ${version} was marked ignored for ${group} (\`/chainops releases ${group}\`)`);
  return out;
}
