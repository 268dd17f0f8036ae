/**
 * A button's `custom_id` carries the neutral action back: `${actionId}:${value}` (≤ 100 chars).
 * Action ids never contain `:`, values may, so decoding splits at the first one.
 */
import { LIMITS } from './discord-limits.ts';

/** The custom id for a button, or undefined when it would not fit Discord's 100 characters. */
export function encodeCustomId(actionId: string, value: string): string | undefined {
  const id = `${actionId}:${value}`;
  return id.length <= LIMITS.customId && actionId.length > 0 && !actionId.includes(':') ? id : undefined;
}

export function decodeCustomId(customId: string): { actionId: string; value: string } {
  const i = customId.indexOf(':');
  return i < 0 ? { actionId: customId, value: '' } : { actionId: customId.slice(0, i), value: customId.slice(i + 1) };
}
