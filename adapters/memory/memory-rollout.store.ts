import type { RolloutStore } from '../../src/ports/rollout.port.ts';
import type { ControlAction, ControlRequest, RolloutRecord } from '../../src/rollout/rollout.record.ts';

const LOG_CAP = 5_000;

/** In-memory RolloutStore for unit tests and the console demo without Redis. */
export class MemoryRolloutStore implements RolloutStore {
  readonly #records = new Map<string, RolloutRecord>();
  readonly #control = new Map<string, ControlRequest>();
  readonly #logs = new Map<string, string[]>();
  readonly #fences = new Map<string, number>();

  async get(id: string): Promise<RolloutRecord | undefined> {
    const r = this.#records.get(id);
    return r ? structuredClone(r) : undefined;
  }

  async save(record: RolloutRecord): Promise<void> {
    this.#records.set(record.id, structuredClone(record));
  }

  async saveFenced(record: RolloutRecord, token: number): Promise<boolean> {
    const seen = this.#fences.get(record.id) ?? 0;
    if (token < seen) return false;
    this.#fences.set(record.id, token);
    this.#records.set(record.id, structuredClone(record));
    return true;
  }

  async list(limit: number): Promise<RolloutRecord[]> {
    return [...this.#records.values()].sort((a, b) => b.createdAt - a.createdAt).slice(0, limit).map((r) => structuredClone(r));
  }

  async requestControl(id: string, action: ControlAction, by: string, at: number): Promise<void> {
    this.#control.set(id, { action, by, at });
  }

  async getControl(id: string): Promise<ControlRequest | undefined> {
    return this.#control.get(id);
  }

  async appendLog(id: string, lines: string[]): Promise<void> {
    const log = this.#logs.get(id) ?? [];
    log.push(...lines);
    if (log.length > LOG_CAP) log.splice(0, log.length - LOG_CAP);
    this.#logs.set(id, log);
  }

  async tailLog(id: string, limit: number): Promise<string[]> {
    return (this.#logs.get(id) ?? []).slice(-limit);
  }
}
