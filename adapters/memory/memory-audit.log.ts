import type { AuditEntry, AuditLog } from '../../src/ports/audit.port.ts';

/** In-memory append-only audit log (unit tests and the no-Redis mode); same order as the Redis one. */
export class MemoryAuditLog implements AuditLog {
  readonly #entries: AuditEntry[] = [];
  readonly #maxLen: number;

  /** `maxLen`: entries kept, oldest dropped first. @defaultValue 100 000 */
  constructor(opts: { maxLen?: number } = {}) {
    this.#maxLen = opts.maxLen ?? 100_000;
  }

  async append(entry: AuditEntry): Promise<void> {
    // A copy, so a caller changing its object later cannot rewrite history.
    this.#entries.push(structuredClone(entry));
    if (this.#entries.length > this.#maxLen) this.#entries.splice(0, this.#entries.length - this.#maxLen);
  }

  /** Newest first. */
  async latest(limit: number): Promise<AuditEntry[]> {
    if (limit <= 0) return [];
    return this.#entries.slice(-limit).reverse().map((e) => structuredClone(e));
  }
}
