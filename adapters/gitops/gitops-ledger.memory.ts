import type { GitopsLedger } from '../../src/gitops/gitops-ledger.port.ts';
import type { Clock } from '../../src/ports/clock.port.ts';

/** GitopsLedger in one process (unit tests): same answers as the Redis one. */
export class MemoryGitopsLedger implements GitopsLedger {
  readonly #clock: Clock;
  readonly #claims = new Map<string, { owner: string; until: number }>();
  readonly #looks = new Map<string, { seq: number; newest: number; rev?: string }>();
  readonly #refusals = new Map<string, { count: number; due: number }>();

  /** @defaultValue Date.now */
  constructor(clock: Clock = { now: Date.now }) {
    this.#clock = clock;
  }

  #holder(key: string): string | undefined {
    const c = this.#claims.get(key);
    return c && c.until > this.#clock.now() ? c.owner : undefined;
  }

  async claim(key: string, owner: string, ttlMs: number): Promise<boolean> {
    if (this.#holder(key) !== undefined) return false;
    this.#claims.set(key, { owner, until: this.#clock.now() + ttlMs });
    return true;
  }

  async keep(key: string, owner: string, ttlMs: number): Promise<boolean> {
    if (this.#holder(key) !== owner) return false;
    this.#claims.set(key, { owner, until: this.#clock.now() + ttlMs });
    return true;
  }

  async giveBack(key: string, owner: string): Promise<boolean> {
    if (this.#holder(key) !== owner) return false;
    return this.#claims.delete(key);
  }

  #look(source: string) {
    let l = this.#looks.get(source);
    if (!l) this.#looks.set(source, (l = { seq: 0, newest: 0 }));
    return l;
  }

  async startLook(source: string): Promise<number> {
    return ++this.#look(source).seq;
  }

  async sawRevision(source: string, ticket: number, rev: string): Promise<string> {
    const l = this.#look(source);
    if (ticket > l.newest) Object.assign(l, { newest: ticket, rev });
    return l.rev ?? rev;
  }

  async tallyRefusal(address: string, windowMs: number): Promise<number> {
    const now = this.#clock.now();
    const r = this.#refusals.get(address) ?? { count: 0, due: 0 };
    r.count++;
    this.#refusals.set(address, r);
    if (now < r.due) return 0;
    const n = r.count;
    Object.assign(r, { count: 0, due: now + windowMs });
    return n;
  }
}
