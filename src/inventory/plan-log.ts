import { z } from 'zod';
import type { KeyValueStore } from './kv.port.ts';

/** The last read-only Terraform plan of one env/group (count drift), as `/chainops drift` shows it. */
export interface PlanLogEntry {
  env: string;
  group: string;
  at: number;
  /** `1 to add, 0 to change, 0 to destroy`, or undefined for an empty plan. */
  plan?: string;
  error?: string;
  /** The job that ran it. */
  by: string;
}

const entrySchema = z.object({ env: z.string(), group: z.string(), at: z.number(), plan: z.string().optional(), error: z.string().optional(), by: z.string() });

/**
 * Results of the last `/chainops plan` or drift job per env/group (hash `<prefix>:terraform:plans`),
 * so `/chainops drift` can show count drift without running Terraform in the bot.
 */
export class PlanLog {
  readonly #kv: KeyValueStore;
  readonly #key: string;

  constructor(kv: KeyValueStore, prefix: string) {
    this.#kv = kv;
    this.#key = `${prefix}:terraform:plans`;
  }

  async put(entry: PlanLogEntry): Promise<void> {
    await this.#kv.hset(this.#key, `${entry.env}/${entry.group}`, JSON.stringify(entry));
  }

  async all(): Promise<PlanLogEntry[]> {
    const out: PlanLogEntry[] = [];
    for (const value of Object.values(await this.#kv.hgetall(this.#key))) {
      try {
        const e = entrySchema.safeParse(JSON.parse(value));
        if (e.success) out.push(e.data as PlanLogEntry);
      } catch {
        // skipped: not JSON
      }
    }
    return out;
  }
}
