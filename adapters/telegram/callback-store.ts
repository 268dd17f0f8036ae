import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Button } from '../../src/chat/message.ts';

/** Telegram's limit on `callback_data`, in bytes. */
export const CALLBACK_DATA_LIMIT = 64;
/** A button stays pressable this long after its message was last rendered. */
const TTL_SEC = 30 * 86_400;

const stored = z.object({ actionId: z.string().max(100), value: z.string().max(2000), confirm: z.object({ title: z.string(), text: z.string() }).optional(), confirmed: z.boolean().optional(), origin: z.number().int().optional() });
export type StoredButton = z.infer<typeof stored>;

/**
 * Buttons carry only a short key (`c:` + 22 base64url characters) as their callback_data; the
 * action and its argument live in Redis under `<prefix>:telegram:cb:<key>`. The key is a hash of the
 * button, so re-rendering a message (every edit) reuses its keys instead of adding new ones, and any
 * bot replica can read what a press means.
 */
export class CallbackStore {
  constructor(private readonly redis: Redis, private readonly prefix: string) {}

  #key(data: string): string {
    return `${this.prefix}:telegram:cb:${data}`;
  }

  /** Store the button and return its callback_data. */
  async put(b: StoredButton): Promise<string> {
    const json = JSON.stringify({ actionId: b.actionId, value: b.value, ...(b.confirm ? { confirm: b.confirm } : {}), ...(b.confirmed ? { confirmed: true } : {}), ...(b.origin ? { origin: b.origin } : {}) });
    const data = `c:${createHash('sha256').update(json).digest('base64url').slice(0, 22)}`;
    await this.redis.set(this.#key(data), json, 'EX', TTL_SEC);
    return data;
  }

  /** What a pressed button means; undefined for an unknown or expired key, or data we never made. */
  async get(data: string): Promise<StoredButton | undefined> {
    if (!/^c:[A-Za-z0-9_-]{22}$/.test(data)) return undefined;
    const raw = await this.redis.get(this.#key(data));
    if (!raw) return undefined;
    const parsed = stored.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  }
}

/** The inline keyboard of a message's buttons: at most 3 per row, labels within Telegram's limits. */
export async function inlineKeyboard(store: CallbackStore, buttons: Button[]): Promise<Array<Array<{ text: string; callback_data: string }>>> {
  const rows: Array<Array<{ text: string; callback_data: string }>> = [];
  for (const [i, b] of buttons.entries()) {
    const callback_data = await store.put({ actionId: b.actionId, value: b.value, ...(b.confirm ? { confirm: b.confirm } : {}) });
    if (i % 3 === 0) rows.push([]);
    rows[rows.length - 1]!.push({ text: `${b.style === 'danger' ? '⚠️ ' : ''}${b.label}`.slice(0, 64), callback_data });
  }
  return rows;
}
