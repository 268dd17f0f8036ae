import { createHash } from 'node:crypto';
import { z } from 'zod';
import { parseFleet, type FleetResult } from '../fleet/fleet.load.ts';
import type { FleetGuardSettings } from '../fleet/fleet-guard.settings.ts';
import type { Fleet } from '../fleet/fleet.schema.ts';
import type { KeyValueStore } from '../inventory/kv.port.ts';
import { mergeInventory } from '../inventory/merge.ts';
import { TerraformInventory } from '../inventory/terraform-inventory.ts';
import type { Logger } from '../pipeline/deps.ts';

/** Content revision of a fleet file: 12 hex digits of its sha256. */
export function fleetRev(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}

const syncedSchema = z.object({ source: z.string(), rev: z.string(), commit: z.string().optional(), text: z.string(), at: z.number(), by: z.string() });
export type SyncedFleet = z.infer<typeof syncedSchema>;

export interface FleetViewOptions {
  /** The fleet file loaded at start, its text's revision, and the source it came from. */
  base: Fleet;
  baseRev: string;
  sourceId: string;
  /** A fleet accepted by `sync` wins over the file loaded at start: always for git, for a file only if synced after start. */
  preferSynced: boolean;
  kv: KeyValueStore;
  prefix: string;
  logger?: Pick<Logger, 'warn' | 'info'>;
  now?: () => number;
  /** What a fleet file may name (secrets, paths); a synced file that breaks it is refused. @defaultValue no checks */
  guard?: FleetGuardSettings;
}

/**
 * The fleet every handler and processor reads: the desired fleet file (from disk or accepted by
 * `/chainops sync`) merged with the Terraform-derived inventory. `current()` returns one immutable
 * object; a reload builds a new one and swaps the reference, so a command that already holds the
 * old fleet finishes on it. Replicas notice changes through one revision counter in Redis.
 */
export class FleetView {
  readonly inventory: TerraformInventory;
  /** The store the view reads (shared with the drift job's last-report digests). */
  readonly kv: KeyValueStore;
  readonly #opts: FleetViewOptions;
  readonly #startedAt: number;
  #base: Fleet;
  #baseRev: string;
  #merged: Fleet;
  #terraformNodes = new Set<string>();
  #problems: string[] = [];
  #seenRev: string | undefined;
  #timer: NodeJS.Timeout | undefined;
  #refreshing: Promise<void> | undefined;

  constructor(opts: FleetViewOptions) {
    this.#opts = opts;
    this.inventory = new TerraformInventory(opts.kv, opts.prefix);
    this.kv = opts.kv;
    this.#startedAt = (opts.now ?? Date.now)();
    this.#base = opts.base;
    this.#baseRev = opts.baseRev;
    this.#merged = opts.base;
  }

  /** Validate fleet-file text the way this view accepts it: schema plus the guard (secret names, paths). */
  parse(text: string): FleetResult {
    return parseFleet(text, this.#opts.guard ? { guard: this.#opts.guard } : {});
  }

  /** The fleet in force, Terraform nodes included. */
  current(): Fleet {
    return this.#merged;
  }

  /** The desired fleet file alone (what `sync` compares against). */
  base(): { fleet: Fleet; rev: string } {
    return { fleet: this.#base, rev: this.#baseRev };
  }

  isTerraformNode(name: string): boolean {
    return this.#terraformNodes.has(name);
  }

  /** Terraform nodes that could not join the fleet, and why. */
  problems(): string[] {
    return [...this.#problems];
  }

  get #syncedKey(): string {
    return `${this.#opts.prefix}:fleet:synced`;
  }

  /** Reload from Redis if anything changed since the last look (or always with `force`). */
  refresh(force = false): Promise<void> {
    // One reload at a time; a caller during a reload waits for it.
    this.#refreshing ??= this.#reload(force).finally(() => (this.#refreshing = undefined));
    return this.#refreshing;
  }

  async #reload(force: boolean): Promise<void> {
    const rev = await this.inventory.revision();
    if (!force && rev === this.#seenRev) return;
    const synced = await this.#readSynced();
    if (synced) {
      const parsed = this.parse(synced.text);
      if (parsed.ok) {
        this.#base = parsed.fleet;
        this.#baseRev = synced.rev;
      } else {
        this.#opts.logger?.warn({ rev: synced.rev }, `the synced fleet ${synced.rev} no longer validates; keeping ${this.#baseRev}`);
      }
    }
    const merged = mergeInventory(this.#base, await this.inventory.all());
    if (merged.problems.join('\n') !== this.#problems.join('\n')) {
      for (const p of merged.problems) this.#opts.logger?.warn({ problem: p }, `inventory: ${p}`);
    }
    this.#merged = merged.fleet;
    this.#terraformNodes = merged.terraformNodes;
    this.#problems = merged.problems;
    this.#seenRev = rev;
  }

  async #readSynced(): Promise<SyncedFleet | undefined> {
    const raw = await this.#opts.kv.get(this.#syncedKey);
    if (!raw) return undefined;
    let parsed: ReturnType<typeof syncedSchema.safeParse>;
    try {
      parsed = syncedSchema.safeParse(JSON.parse(raw));
    } catch {
      return undefined;
    }
    if (!parsed.success || parsed.data.source !== this.#opts.sourceId) return undefined;
    if (!this.#opts.preferSynced && parsed.data.at < this.#startedAt) return undefined;
    return parsed.data;
  }

  /** The last fleet accepted by `sync` (for the record: who, when, which commit). */
  async lastSync(): Promise<SyncedFleet | undefined> {
    return this.#readSynced();
  }

  /**
   * Put a validated fleet file in force everywhere: stored in Redis, the revision bumped (other
   * replicas reload within their poll interval), and swapped here at once.
   */
  async accept(input: { text: string; rev: string; commit?: string; by: string }): Promise<Fleet> {
    const parsed = this.parse(input.text);
    if (!parsed.ok) throw new Error('refusing to accept an invalid fleet file');
    const record: SyncedFleet = { source: this.#opts.sourceId, rev: input.rev, text: input.text, at: (this.#opts.now ?? Date.now)(), by: input.by, ...(input.commit ? { commit: input.commit } : {}) };
    await this.#opts.kv.set(this.#syncedKey, JSON.stringify(record));
    await this.#opts.kv.incr(this.inventory.revKey);
    await this.refresh(true);
    return this.#base;
  }

  /** The first admin's apply of a revision that needs two (widens roles, weakens approvals), if recorded. */
  async firstApply(rev: string): Promise<{ by: string; at: number } | undefined> {
    const raw = (await this.#opts.kv.hgetall(`${this.#opts.prefix}:fleet:cosign`))[rev];
    if (!raw) return undefined;
    try {
      const v = JSON.parse(raw) as { by?: unknown; at?: unknown };
      return typeof v.by === 'string' && typeof v.at === 'number' ? { by: v.by, at: v.at } : undefined;
    } catch {
      return undefined;
    }
  }

  /** Record (or, with `undefined`, forget) the first admin's apply of `rev`. */
  async setFirstApply(rev: string, first: { by: string; at: number } | undefined): Promise<void> {
    const key = `${this.#opts.prefix}:fleet:cosign`;
    if (first) await this.#opts.kv.hset(key, rev, JSON.stringify(first));
    else await this.#opts.kv.hdel(key, rev);
  }

  /** Poll the revision every `intervalMs` (unref'd: it never keeps the process alive). */
  start(intervalMs: number): void {
    this.stop();
    this.#timer = setInterval(() => {
      this.refresh().catch((err: unknown) => this.#opts.logger?.warn({ err: String(err) }, 'could not reload the fleet view'));
    }, intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
