/** Neutral buttons → Discord action rows (≤ 5 rows × 5 buttons, 80-char labels, unique ≤ 100-char ids). Pure. */
import type { Button } from '../../src/chat/message.ts';
import { encodeAskFirstId, encodeCustomId } from './discord-custom-id.ts';
import { LIMITS, truncateEnd } from './discord-limits.ts';

/** Discord button styles: 1 primary (blurple), 2 secondary (grey), 4 danger (red). */
const STYLE = { primary: 1, secondary: 2, danger: 4 } as const;

export interface DiscordButton {
  type: 2;
  style: 1 | 2 | 4;
  label: string;
  custom_id: string;
}
export interface DiscordActionRow {
  type: 1;
  components: DiscordButton[];
}

/**
 * Each neutral `actions` block starts a new row; a block with more than 5 buttons wraps to the next
 * row. Buttons that cannot be shown (a 6th row, an id over 100 chars, a duplicate id — Discord refuses
 * the whole message for any of these) are left out and counted in `dropped`.
 *
 * A button with `confirm` gets an ask-first id: Discord has no confirm dialog, so its click shows an
 * ephemeral "are you sure?" prompt and only that prompt's confirm button acts (discord-confirm.ts).
 * One that cannot get such an id is dropped rather than shown without its confirmation.
 */
export function renderActionRows(groups: Button[][]): { rows: DiscordActionRow[]; dropped: number } {
  const grouped = layout(groups);
  // When one row per block runs out of rows, pack the buttons tightly instead of losing them.
  return grouped.overflow > 0 ? layout([groups.flat()]) : grouped;
}

function layout(groups: Button[][]): { rows: DiscordActionRow[]; dropped: number; overflow: number } {
  const rows: DiscordActionRow[] = [];
  const seen = new Set<string>();
  let dropped = 0;
  let overflow = 0;
  for (const group of groups) {
    let row: DiscordActionRow | undefined;
    for (const button of group) {
      const customId = button.confirm ? encodeAskFirstId(button.actionId, button.value) : encodeCustomId(button.actionId, button.value);
      if (!customId || seen.has(customId)) {
        dropped++;
        continue;
      }
      if (!row || row.components.length >= LIMITS.buttonsPerRow) {
        if (rows.length >= LIMITS.actionRows) {
          dropped++;
          overflow++;
          continue;
        }
        row = { type: 1, components: [] };
        rows.push(row);
      }
      seen.add(customId);
      row.components.push({
        type: 2,
        style: STYLE[button.style ?? 'secondary'],
        label: truncateEnd(button.label.trim() || button.actionId, LIMITS.buttonLabel),
        custom_id: customId,
      });
    }
  }
  return { rows, dropped, overflow };
}
