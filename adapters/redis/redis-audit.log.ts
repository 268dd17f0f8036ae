import type { Redis } from 'ioredis';
import type { AuditEntry, AuditLog } from '../../src/ports/audit.port.ts';
import { auditEntrySchema, parseStored } from './stored-records.schema.ts';
import type { LogSink } from './redis-connection.ts';

export interface RedisAuditOptions {
  /** The stream is `${prefix}:audit`. */
  prefix: string;
  /** Approximate cap on entries kept (`XADD MAXLEN ~`). @defaultValue 1 000 000 */
  maxLen?: number;
  /** Where unreadable entries are reported. @defaultValue none (they are skipped silently) */
  logger?: LogSink;
}

/**
 * Append-only audit log on a Redis stream. There is deliberately no method that edits or deletes an
 * entry; only the MAXLEN cap trims the oldest ones. It does not own the connection.
 */
export class RedisAuditLog implements AuditLog {
  readonly #r: Redis;
  readonly #key: string;
  readonly #maxLen: number;
  readonly #logger: LogSink | undefined;

  /** Wrap a connection (`createRedis(url, 'state')`) with the options above. */
  constructor(redis: Redis, opts: RedisAuditOptions) {
    this.#r = redis;
    this.#key = `${opts.prefix}:audit`;
    this.#maxLen = opts.maxLen ?? 1_000_000;
    this.#logger = opts.logger;
  }

  async append(entry: AuditEntry): Promise<void> {
    // One JSON field: the stream id orders entries, the JSON keeps optional fields exact.
    await this.#r.xadd(this.#key, 'MAXLEN', '~', this.#maxLen, '*', 'e', JSON.stringify(entry));
  }

  /** Newest first. An unreadable entry is skipped (and logged) so one bad record cannot hide the rest. */
  async latest(limit: number): Promise<AuditEntry[]> {
    if (limit <= 0) return [];
    const rows = await this.#r.xrevrange(this.#key, '+', '-', 'COUNT', limit);
    const out: AuditEntry[] = [];
    for (const [id, fields] of rows) {
      const raw = fields[fields.indexOf('e') + 1];
      try {
        if (raw === undefined) throw new Error('entry has no `e` field');
        out.push(parseStored(auditEntrySchema, raw, `${this.#key}/${id}`));
      } catch (err) {
        this.#logger?.warn({ id, err: String(err) }, `audit entry ${id} is unreadable; skipped`);
      }
    }
    return out;
  }
}
