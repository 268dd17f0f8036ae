import type { Redis } from 'ioredis';
import type { GitopsLedger } from '../../src/gitops/gitops-ledger.port.ts';
import { systemClock, type Clock } from '../../src/ports/clock.port.ts';

// Each script touches one key, so the ledger fits any hash-tag layout (docs/redis-keys.md).
const KEEP = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;
const GIVE_BACK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
const SAW = `
local newest = tonumber(redis.call('HGET', KEYS[1], 'newest') or '0')
if tonumber(ARGV[1]) > newest then
  redis.call('HSET', KEYS[1], 'newest', ARGV[1], 'rev', ARGV[2])
  return ARGV[2]
end
return redis.call('HGET', KEYS[1], 'rev') or ARGV[2]`;
const TALLY = `
local now, win = tonumber(ARGV[1]), tonumber(ARGV[2])
local n = redis.call('HINCRBY', KEYS[1], 'count', 1)
local due = tonumber(redis.call('HGET', KEYS[1], 'due') or '0')
redis.call('PEXPIRE', KEYS[1], win * 60)
if now < due then return 0 end
redis.call('HSET', KEYS[1], 'count', 0, 'due', now + win)
return n`;

/** GitopsLedger on Redis, shared by the bot replicas. It does not own the connection. */
export class RedisGitopsLedger implements GitopsLedger {
  readonly #r: Redis;
  readonly #p: string;
  readonly #clock: Clock;

  /** Keys live under `${prefix}:gitops:`. */
  constructor(redis: Redis, opts: { prefix: string; clock?: Clock }) {
    this.#r = redis;
    this.#p = `${opts.prefix}:gitops`;
    this.#clock = opts.clock ?? systemClock;
  }

  async claim(key: string, owner: string, ttlMs: number): Promise<boolean> {
    return (await this.#r.set(`${this.#p}:claim:${key}`, owner, 'PX', ttlMs, 'NX')) === 'OK';
  }

  async keep(key: string, owner: string, ttlMs: number): Promise<boolean> {
    return Number(await this.#r.eval(KEEP, 1, `${this.#p}:claim:${key}`, owner, ttlMs)) === 1;
  }

  async giveBack(key: string, owner: string): Promise<boolean> {
    return Number(await this.#r.eval(GIVE_BACK, 1, `${this.#p}:claim:${key}`, owner)) === 1;
  }

  async startLook(source: string): Promise<number> {
    return Number(await this.#r.hincrby(`${this.#p}:looks:${source}`, 'seq', 1));
  }

  async sawRevision(source: string, ticket: number, rev: string): Promise<string> {
    return String(await this.#r.eval(SAW, 1, `${this.#p}:looks:${source}`, ticket, rev));
  }

  async tallyRefusal(address: string, windowMs: number): Promise<number> {
    // Addresses are short, but a key never grows with what a sender controls.
    return Number(await this.#r.eval(TALLY, 1, `${this.#p}:refusals:${address.slice(0, 64)}`, this.#clock.now(), windowMs));
  }
}
