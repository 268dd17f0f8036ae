/**
 * The few key-value calls the inventory and the fleet view need. ioredis fits it as is (the Redis
 * store in production); `MemoryKeyValue` fits it in tests.
 */
export interface KeyValueStore {
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<unknown>;
  incr(key: string): Promise<number>;
  hset(key: string, field: string, value: string): Promise<unknown>;
  hdel(key: string, field: string): Promise<unknown>;
  hgetall(key: string): Promise<Record<string, string>>;
}

/** In-process KeyValueStore (unit tests, single-process tools). */
export class MemoryKeyValue implements KeyValueStore {
  readonly #strings = new Map<string, string>();
  readonly #hashes = new Map<string, Map<string, string>>();

  async get(key: string): Promise<string | null> {
    return this.#strings.get(key) ?? null;
  }
  async set(key: string, value: string): Promise<'OK'> {
    this.#strings.set(key, value);
    return 'OK';
  }
  async incr(key: string): Promise<number> {
    const n = Number(this.#strings.get(key) ?? '0') + 1;
    this.#strings.set(key, String(n));
    return n;
  }
  async hset(key: string, field: string, value: string): Promise<number> {
    const h = this.#hashes.get(key) ?? new Map<string, string>();
    this.#hashes.set(key, h);
    const added = h.has(field) ? 0 : 1;
    h.set(field, value);
    return added;
  }
  async hdel(key: string, field: string): Promise<number> {
    return this.#hashes.get(key)?.delete(field) ? 1 : 0;
  }
  async hgetall(key: string): Promise<Record<string, string>> {
    return Object.fromEntries(this.#hashes.get(key) ?? []);
  }
}
