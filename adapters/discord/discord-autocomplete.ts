/** Autocomplete answers (callback type 8) from the fleet: ≤ 25 choices, names and values ≤ 100 chars. */
import type { Logger } from 'pino';
import type { Actor } from '../../src/chat/chat-event.ts';
import { focusedOf } from './discord-command-text.ts';
import { isAutocompleteKind, type AutocompleteKind } from './discord-command.builder.ts';
import type { InteractionOption } from './discord-interaction.schema.ts';
import { LIMITS } from './discord-limits.ts';

/** Suggestions for what `actor` is typing; the source answers nothing to someone without a role. */
export type AutocompleteSource = (kind: AutocompleteKind, prefix: string, actor: Actor) => Promise<string[]>;

/** Discord drops an autocomplete answer after 3 s; an empty list beats none. */
const SOURCE_TIMEOUT_MS = 2_000;

export interface AutocompleteResult {
  type: 8;
  data: { choices: Array<{ name: string; value: string }> };
}

export async function answerAutocomplete(
  options: InteractionOption[] | undefined,
  source: AutocompleteSource,
  logger: Logger,
  actor?: Actor,
): Promise<AutocompleteResult> {
  const focused = focusedOf(options);
  if (!actor || !focused?.kind || !isAutocompleteKind(focused.kind as never)) return { type: 8, data: { choices: [] } };
  const kind = focused.kind as AutocompleteKind;
  let values: string[] = [];
  let timer: NodeJS.Timeout | undefined;
  try {
    values = await Promise.race([
      source(kind, focused.prefix, actor),
      new Promise<string[]>((resolve) => {
        timer = setTimeout(() => resolve([]), SOURCE_TIMEOUT_MS);
      }),
    ]);
  } catch (err) {
    logger.warn({ kind, err: String(err) }, 'discord: autocomplete source failed');
  } finally {
    clearTimeout(timer);
  }
  const prefix = focused.prefix.toLowerCase();
  const unique = [...new Set(values)].filter((v) => v.length > 0 && v.length <= LIMITS.choiceText);
  // The source should filter already; doing it again keeps the answer right if it does not.
  const matching = unique.filter((v) => v.toLowerCase().startsWith(prefix));
  const rest = unique.filter((v) => !v.toLowerCase().startsWith(prefix) && v.toLowerCase().includes(prefix));
  const choices = [...matching, ...rest].slice(0, LIMITS.autocompleteChoices).map((v) => ({ name: v, value: v }));
  return { type: 8, data: { choices } };
}
