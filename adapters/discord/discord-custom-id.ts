/**
 * A button's `custom_id` carries the neutral action back: `${actionId}:${value}` (≤ 100 chars).
 * Action ids never contain `:`, values may, so decoding splits at the first one.
 *
 * Discord has no confirm dialog, so a button with `confirm` takes two clicks (discord-confirm.ts).
 * Its id starts with a marker an action id never starts with:
 * - `?approve:ap-1`            ask first: the click shows an ephemeral "are you sure?" prompt;
 * - `!<messageId>:approve:ap-1` the prompt's confirm button (the message id is the one holding the
 *   original button, empty when it would not fit); this one acts;
 * - `~`                         the prompt's cancel button.
 */
import { LIMITS } from './discord-limits.ts';

const MARKERS = /^[?!~]/;
/** Room kept for the longest prefix a confirmed id adds in front of `${actionId}:${value}` (`!:`). */
const CONFIRM_OVERHEAD = 2;

export type ButtonId =
  | { kind: 'act'; actionId: string; value: string }
  | { kind: 'ask'; actionId: string; value: string }
  | { kind: 'confirmed'; actionId: string; value: string; originMessageId?: string }
  | { kind: 'cancel' };

/** The custom id for a button, or undefined when it would not fit Discord's 100 characters. */
export function encodeCustomId(actionId: string, value: string): string | undefined {
  const id = `${actionId}:${value}`;
  return id.length <= LIMITS.customId && usableActionId(actionId) ? id : undefined;
}

/** The id of a button that asks first; undefined when its confirm button's id could not fit. */
export function encodeAskFirstId(actionId: string, value: string): string | undefined {
  const id = `${actionId}:${value}`;
  return id.length <= LIMITS.customId - CONFIRM_OVERHEAD && usableActionId(actionId) ? `?${id}` : undefined;
}

/** The prompt's confirm button: names the message holding the original button when there is room. */
export function encodeConfirmedId(actionId: string, value: string, originMessageId: string | undefined): string {
  const withOrigin = `!${originMessageId ?? ''}:${actionId}:${value}`;
  return withOrigin.length <= LIMITS.customId ? withOrigin : `!:${actionId}:${value}`;
}

export const CANCEL_ID = '~';

export function decodeCustomId(customId: string): { actionId: string; value: string } {
  const i = customId.indexOf(':');
  return i < 0 ? { actionId: customId, value: '' } : { actionId: customId.slice(0, i), value: customId.slice(i + 1) };
}

/** What a clicked button asks for (see the module comment for the forms). */
export function parseButtonId(customId: string): ButtonId {
  if (customId === CANCEL_ID) return { kind: 'cancel' };
  if (customId.startsWith('?')) return { kind: 'ask', ...decodeCustomId(customId.slice(1)) };
  const confirmed = /^!(\d*):(.*)$/s.exec(customId);
  if (confirmed) {
    const origin = confirmed[1] ? { originMessageId: confirmed[1] } : {};
    return { kind: 'confirmed', ...decodeCustomId(confirmed[2]!), ...origin };
  }
  return { kind: 'act', ...decodeCustomId(customId) };
}

function usableActionId(actionId: string): boolean {
  return actionId.length > 0 && !actionId.includes(':') && !MARKERS.test(actionId);
}
