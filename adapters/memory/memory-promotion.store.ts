import type { PromotionStore } from '../../src/ports/promotion.port.ts';
import { PROMOTION_TERMINAL, type PromotionControl, type PromotionRecord } from '../../src/promotion/promotion.record.ts';

/** PromotionStore in memory (unit tests), with the Redis store's rules. */
export class MemoryPromotionStore implements PromotionStore {
  readonly #records = new Map<string, { rec: PromotionRecord; fence: number }>();
  readonly #active = new Map<string, string>();
  readonly #control = new Map<string, PromotionControl>();

  async get(id: string): Promise<PromotionRecord | undefined> {
    const e = this.#records.get(id);
    return e ? structuredClone(e.rec) : undefined;
  }
  async create(record: PromotionRecord): Promise<{ ok: true } | { ok: false; active: string }> {
    const active = this.#active.get(record.group);
    if (active) return { ok: false, active };
    this.#active.set(record.group, record.id);
    this.#records.set(record.id, { rec: structuredClone(record), fence: 0 });
    return { ok: true };
  }
  async saveFenced(record: PromotionRecord, token: number): Promise<boolean> {
    const e = this.#records.get(record.id);
    if (e && token < e.fence) return false;
    this.#records.set(record.id, { rec: structuredClone(record), fence: token });
    if (PROMOTION_TERMINAL.has(record.status) && this.#active.get(record.group) === record.id) this.#active.delete(record.group);
    return true;
  }
  async activeId(group: string): Promise<string | undefined> {
    return this.#active.get(group);
  }
  async list(limit: number): Promise<PromotionRecord[]> {
    return [...this.#records.values()].map((e) => structuredClone(e.rec)).sort((a, b) => b.createdAt - a.createdAt).slice(0, limit);
  }
  async requestControl(id: string, control: PromotionControl): Promise<void> {
    if (this.#control.get(id)?.action === 'abort') return;
    this.#control.set(id, control);
  }
  async getControl(id: string): Promise<PromotionControl | undefined> {
    return this.#control.get(id);
  }
}
