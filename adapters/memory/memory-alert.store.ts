import type { Alert, Silence } from '../../src/alerts/alert.types.ts';
import type { AlertStore } from '../../src/ports/alert.port.ts';
import { systemClock, type Clock } from '../../src/ports/clock.port.ts';

export interface MemoryAlertStoreOptions {
  /** Expires silences; tests pass a stepping clock. @defaultValue systemClock */
  clock?: Clock;
  /** Resolved alerts kept. @defaultValue 1000 */
  keepResolved?: number;
}

const copy = <T>(v: T): T => structuredClone(v);

/** AlertStore in process memory, with the same semantics as RedisAlertStore (same contract suite). */
export class MemoryAlertStore implements AlertStore {
  readonly #clock: Clock;
  readonly #keepResolved: number;
  readonly #alerts = new Map<string, Alert>();
  /** Active alert id per de-duplication key. */
  readonly #activeByKey = new Map<string, string>();
  /** Resolved ids, oldest first. */
  #resolved: string[] = [];
  readonly #silences = new Map<string, Silence>();

  /** See {@link MemoryAlertStoreOptions} for defaults. */
  constructor(opts: MemoryAlertStoreOptions = {}) {
    this.#clock = opts.clock ?? systemClock;
    this.#keepResolved = opts.keepResolved ?? 1_000;
  }

  async active(): Promise<Alert[]> {
    return [...this.#activeByKey.values()].flatMap((id) => {
      const a = this.#alerts.get(id);
      return a ? [copy(a)] : [];
    });
  }

  async get(id: string): Promise<Alert | undefined> {
    const a = this.#alerts.get(id);
    return a ? copy(a) : undefined;
  }

  async recent(limit: number): Promise<Alert[]> {
    return this.#resolved.slice().reverse().slice(0, Math.max(0, limit)).flatMap((id) => {
      const a = this.#alerts.get(id);
      return a ? [copy(a)] : [];
    });
  }

  async create(alert: Alert): Promise<boolean> {
    if (this.#alerts.has(alert.id) || this.#activeByKey.has(alert.key)) return false;
    this.#alerts.set(alert.id, { ...copy(alert), rev: 0 });
    if (alert.state === 'resolved') this.#markResolved(alert.id);
    else this.#activeByKey.set(alert.key, alert.id);
    return true;
  }

  async save(alert: Alert, expectedRev: number): Promise<boolean> {
    const cur = this.#alerts.get(alert.id);
    if (!cur || cur.rev !== expectedRev) return false;
    this.#alerts.set(alert.id, { ...copy(alert), rev: expectedRev + 1 });
    if (alert.state === 'resolved' && cur.state !== 'resolved') {
      if (this.#activeByKey.get(cur.key) === cur.id) this.#activeByKey.delete(cur.key);
      this.#markResolved(alert.id);
    }
    return true;
  }

  async drop(id: string, expectedRev: number): Promise<boolean> {
    const cur = this.#alerts.get(id);
    if (!cur || cur.rev !== expectedRev) return false;
    this.#alerts.delete(id);
    if (this.#activeByKey.get(cur.key) === id) this.#activeByKey.delete(cur.key);
    this.#resolved = this.#resolved.filter((r) => r !== id);
    return true;
  }

  async addSilence(silence: Silence): Promise<void> {
    this.#silences.set(silence.id, copy(silence));
  }

  async silences(): Promise<Silence[]> {
    const now = this.#clock.now();
    for (const [id, s] of this.#silences) if (s.until <= now) this.#silences.delete(id);
    return [...this.#silences.values()].sort((a, b) => a.createdAt - b.createdAt).map(copy);
  }

  async removeSilence(id: string): Promise<boolean> {
    return this.#silences.delete(id);
  }

  #markResolved(id: string): void {
    this.#resolved.push(id);
    while (this.#resolved.length > this.#keepResolved) this.#alerts.delete(this.#resolved.shift()!);
  }
}
