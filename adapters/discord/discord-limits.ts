/**
 * Discord's message limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits)
 * and the two ways we shorten text to fit them. Pure.
 */
export const LIMITS = {
  content: 2_000,
  embeds: 10,
  embedTotal: 6_000,
  title: 256,
  description: 4_096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1_024,
  footer: 2_048,
  actionRows: 5,
  buttonsPerRow: 5,
  buttonLabel: 80,
  customId: 100,
  threadName: 100,
  autocompleteChoices: 25,
  choiceText: 100,
} as const;

/** Cut the end of a short value (names, labels, titles), marking the cut with `…`. */
export function truncateEnd(text: string, max: number): string {
  if (text.length <= max) return text;
  return max <= 1 ? text.slice(0, max) : `${text.slice(0, max - 1)}…`;
}

/** The line that replaces the head of long output, so a reader knows how much is missing. */
export function cutNotice(cut: number): string {
  return `[… ${cut.toLocaleString('en-US')} characters cut, showing the end]`;
}

/**
 * Keep the TAIL of long output (logs end with the error that matters) within `max` characters, with
 * a first line saying how much was cut. Returns '' when not even the notice fits.
 */
export function keepTail(text: string, max: number): string {
  if (text.length <= max) return text;
  // Size the notice for the largest possible cut so the result never overshoots `max`.
  const room = max - cutNotice(text.length).length - 1;
  if (room <= 0) return '';
  let tail = text.slice(text.length - room);
  // Start at a line boundary when one is close, so the first shown line is whole.
  const nl = tail.indexOf('\n');
  if (nl >= 0 && nl < 200 && nl < tail.length - 1) tail = tail.slice(nl + 1);
  return `${cutNotice(text.length - tail.length)}\n${tail}`;
}
