import type { ReleaseStore } from '../../src/releases/release-store.port.ts';
import type { GroupReleases } from '../../src/releases/release.types.ts';

/** In-process ReleaseStore (unit tests, the console without Redis). */
export class MemoryReleaseStore implements ReleaseStore {
  readonly #groups = new Map<string, GroupReleases>();
  readonly #ignored = new Map<string, Set<string>>();
  readonly #claims = new Map<string, 'posted' | 'baseline'>();

  async get(group: string): Promise<GroupReleases | undefined> {
    const g = this.#groups.get(group);
    return g ? structuredClone(g) : undefined;
  }
  async put(group: string, state: GroupReleases): Promise<void> {
    this.#groups.set(group, structuredClone(state));
  }
  async ignore(group: string, version: string): Promise<boolean> {
    const s = this.#ignored.get(group) ?? new Set<string>();
    this.#ignored.set(group, s);
    const added = !s.has(version);
    s.add(version);
    return added;
  }
  async ignored(group: string): Promise<string[]> {
    return [...(this.#ignored.get(group) ?? [])];
  }
  async claim(group: string, version: string, mark: 'posted' | 'baseline'): Promise<boolean> {
    const k = `${group}\n${version}`;
    if (this.#claims.has(k)) return false;
    this.#claims.set(k, mark);
    return true;
  }
  async unclaim(group: string, version: string): Promise<void> {
    this.#claims.delete(`${group}\n${version}`);
  }
  /** What a claim stands for (tests). */
  claimOf(group: string, version: string): 'posted' | 'baseline' | undefined {
    return this.#claims.get(`${group}\n${version}`);
  }
}
