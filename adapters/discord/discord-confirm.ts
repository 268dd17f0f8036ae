/**
 * Two-step buttons. Slack shows a confirm dialog for a button with `confirm`; Discord has none, so the
 * first click on such a button only answers with an ephemeral prompt ("Approve — are you sure?") whose
 * confirm button does the action and whose cancel button does nothing. Pure: builds callback bodies.
 */
import { CANCEL_ID, encodeConfirmedId } from './discord-custom-id.ts';
import { EPHEMERAL } from './discord-interaction.responder.ts';
import type { InteractionSlice } from './discord-interaction.schema.ts';
import { LIMITS, truncateEnd } from './discord-limits.ts';
import { NO_MENTIONS } from './discord-rest.ts';

/** Interaction callback types: 4 reply with a message, 7 update the message holding the button. */
const Callback = { Reply: 4, UpdateMessage: 7 } as const;
const Style = { primary: 1, secondary: 2, danger: 4 } as const;

/** The clicked button as the message shows it (label and colour), for wording the prompt. */
function clickedButton(i: InteractionSlice): { label?: string; style?: number } {
  const id = i.data?.custom_id;
  for (const row of i.message?.components ?? []) for (const b of row.components) if (b.custom_id === id) return b;
  return {};
}

/**
 * The ephemeral prompt for the first click: what the button does, the title of the message it sits on,
 * and Confirm / Cancel. Only the person who clicked sees it, so nobody else can confirm for them.
 */
export function confirmPrompt(i: InteractionSlice, actionId: string, value: string) {
  const { label: shown, style } = clickedButton(i);
  const label = shown?.trim() || actionId;
  const about = i.message?.embeds?.[0]?.title;
  const content = truncateEnd(`**${label}** — are you sure?${about ? `\n> ${about.replace(/\s+/g, ' ')}` : ''}`, LIMITS.content);
  return {
    type: Callback.Reply,
    data: {
      content,
      flags: EPHEMERAL,
      allowed_mentions: NO_MENTIONS,
      components: [{
        type: 1,
        components: [
          { type: 2, style: style === Style.danger ? Style.danger : Style.primary, label: truncateEnd(`Yes, ${label}`, LIMITS.buttonLabel), custom_id: encodeConfirmedId(actionId, value, i.message?.id) },
          { type: 2, style: Style.secondary, label: 'Cancel', custom_id: CANCEL_ID },
        ],
      }],
    },
  };
}

/** Second click: the prompt loses its buttons (no third click) and says the action is under way. */
export function confirmedUpdate(i: InteractionSlice) {
  const label = clickedButton(i).label?.replace(/^Yes, /, '') ?? 'Confirmed';
  return { type: Callback.UpdateMessage, data: { content: truncateEnd(`**${label}** — confirmed.`, LIMITS.content), components: [], allowed_mentions: NO_MENTIONS } };
}

export function cancelledUpdate() {
  return { type: Callback.UpdateMessage, data: { content: 'Cancelled — nothing was done.', components: [], allowed_mentions: NO_MENTIONS } };
}
