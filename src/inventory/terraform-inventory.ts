import { z } from 'zod';
import { fleetNodeSchema } from '../fleet/fleet.schema.ts';
import type { InventoryNode } from '../provision/output-contract.ts';
import type { KeyValueStore } from './kv.port.ts';

/** What ChainOps last read from one workspace's `chainops_nodes` output. */
export interface InventoryRecord {
  env: string;
  group: string;
  workspace: string;
  nodes: InventoryNode[];
  /** When it was read (epoch ms), and by which job. */
  at: number;
  by: string;
}

const recordSchema = z.object({
  env: z.string(),
  group: z.string(),
  workspace: z.string(),
  nodes: z.array(z.object({ node: fleetNodeSchema, shape: z.looseObject({}).optional() })),
  at: z.number(),
  by: z.string(),
});

/**
 * Terraform-derived inventory, kept in Redis (hash `<prefix>:inventory:terraform`, one field per
 * env/group) so every bot and worker replica sees the same nodes; `<prefix>:fleet:rev` is bumped on
 * every change so fleet views know to reload. Written after every apply, read on start.
 */
export class TerraformInventory {
  readonly #kv: KeyValueStore;
  readonly #key: string;
  readonly revKey: string;

  constructor(kv: KeyValueStore, prefix: string) {
    this.#kv = kv;
    this.#key = `${prefix}:inventory:terraform`;
    this.revKey = `${prefix}:fleet:rev`;
  }

  async get(env: string, group: string): Promise<InventoryRecord | undefined> {
    return (await this.all()).find((r) => r.env === env && r.group === group);
  }

  /** Every record that parses; a corrupt one is skipped (and reported by `problems`). */
  async all(): Promise<InventoryRecord[]> {
    const raw = await this.#kv.hgetall(this.#key);
    const out: InventoryRecord[] = [];
    for (const value of Object.values(raw)) {
      try {
        const parsed = recordSchema.safeParse(JSON.parse(value));
        if (parsed.success) out.push(parsed.data as InventoryRecord);
      } catch {
        // skipped: not JSON
      }
    }
    return out.sort((a, b) => `${a.env}/${a.group}`.localeCompare(`${b.env}/${b.group}`));
  }

  async put(record: InventoryRecord): Promise<void> {
    await this.#kv.hset(this.#key, `${record.env}/${record.group}`, JSON.stringify(record));
    await this.#kv.incr(this.revKey);
  }

  async remove(env: string, group: string): Promise<void> {
    await this.#kv.hdel(this.#key, `${env}/${group}`);
    await this.#kv.incr(this.revKey);
  }

  /** Changes whenever the inventory (or the synced fleet file) changes. */
  async revision(): Promise<string> {
    return (await this.#kv.get(this.revKey)) ?? '0';
  }
}
