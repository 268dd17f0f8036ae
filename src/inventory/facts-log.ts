import { z } from 'zod';
import type { HostSnapshot } from '../ports/ssh.port.ts';
import type { KeyValueStore } from './kv.port.ts';

const factsSchema = z.looseObject({
  cpus: z.number(),
  memTotalMiB: z.number(),
  memAvailableMiB: z.number(),
  diskTotalGiB: z.number(),
  diskUsedPct: z.number(),
  load1: z.number(),
  nicSpeedMbps: z.number().optional(),
});
const entrySchema = z.object({ at: z.number(), facts: factsSchema.optional(), error: z.string().optional() });

/**
 * Host facts the drift job gathered, per node (hash `<prefix>:drift:host-facts`). Snapshots carry
 * host facts too, but a health sweep or an on-demand RPC check may replace a snapshot between two
 * reads; this copy is what `/chainops drift` falls back to, whichever is newer wins.
 */
export class FactsLog {
  readonly #kv: KeyValueStore;
  readonly #key: string;

  constructor(kv: KeyValueStore, prefix: string) {
    this.#kv = kv;
    this.#key = `${prefix}:drift:host-facts`;
  }

  async put(node: string, snapshot: HostSnapshot): Promise<void> {
    await this.#kv.hset(this.#key, node, JSON.stringify(snapshot));
  }

  async all(): Promise<Map<string, HostSnapshot>> {
    const out = new Map<string, HostSnapshot>();
    for (const [node, value] of Object.entries(await this.#kv.hgetall(this.#key))) {
      try {
        const e = entrySchema.safeParse(JSON.parse(value));
        if (e.success) out.set(node, e.data as HostSnapshot);
      } catch {
        // skipped: not JSON
      }
    }
    return out;
  }
}
