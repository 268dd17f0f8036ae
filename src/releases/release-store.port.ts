import type { GroupReleases } from './release.types.ts';

/** Known releases per group, ignored versions and announcement claims (Redis in production). */
export interface ReleaseStore {
  get(group: string): Promise<GroupReleases | undefined>;
  put(group: string, state: GroupReleases): Promise<void>;
  /** Hide a version from announcements and mark it in `releases`; true when it was not yet ignored. */
  ignore(group: string, version: string): Promise<boolean>;
  ignored(group: string): Promise<string[]>;
  /**
   * Claim the announcement of one version, once across every replica and poll (SET NX): true for
   * the first caller only. `mark` says what the claim stands for ('posted', or 'baseline' for the
   * versions that existed before the first poll and are never announced).
   */
  claim(group: string, version: string, mark: 'posted' | 'baseline'): Promise<boolean>;
  /** Give up a claim whose post could not be published, so the next poll tries again. */
  unclaim(group: string, version: string): Promise<void>;
}
