/** Text helpers for Slack's mrkdwn: escaping, trimming with a visible note, code fences. */

/**
 * Escape the three characters Slack treats as control sequences, so text from chat, node output or
 * RPC answers can never become `<!channel>` pings or fake links.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Neutral text → Slack mrkdwn: escape first, then map the two markdown habits the core may use
 * (`**bold**`, `[label](https://…)`) to Slack's own syntax.
 */
export function toMrkdwn(text: string): string {
  return escapeMrkdwn(text)
    .replace(/\*\*([^*\n]+)\*\*/g, '*$1*')
    .replace(/\[([^\]\n]+)\]\((https?:\/\/[^\s)]+)\)/g, (_m, label: string, url: string) => `<${url}|${label.replace(/\|/g, '¦')}>`);
}

/** Keep the start of `text` within `max` chars; the end says how much was cut. */
export function keepHead(text: string, max: number): string {
  if (text.length <= max) return text;
  // The note's own length depends on the number it shows; size it for the worst case.
  const keep = Math.max(0, max - `… (${text.length} chars cut)`.length);
  return (text.slice(0, keep) + `… (${text.length - keep} chars cut)`).slice(0, max);
}

/**
 * Keep the end of multi-line `text` within `max` chars (output and logs matter most at their end).
 * Cuts on a line boundary when it can; the first line says how many lines and chars were cut.
 */
export function keepTail(text: string, max: number): string {
  if (text.length <= max) return text;
  const lines = text.split('\n');
  const budget = max - 60; // room for the note line
  const kept: string[] = [];
  let size = 0;
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!;
    if (size + line.length + 1 > budget) {
      if (kept.length === 0) kept.unshift(line.slice(line.length - Math.max(0, budget - 1)));
      break;
    }
    kept.unshift(line);
    size += line.length + 1;
  }
  const keptText = kept.join('\n');
  const cutChars = text.length - keptText.length;
  const cutLines = lines.length - kept.length;
  const note = cutLines > 0 ? `… ${cutLines} earlier lines (${cutChars} chars) cut` : `… ${cutChars} earlier chars cut`;
  return `${note}\n${keptText}`.slice(-max);
}

/** A fenced code block whose whole text, fences included, fits `max` chars; keeps the tail. */
export function codeFence(body: string, max: number): string {
  const safe = escapeMrkdwn(body.length ? body : '(empty)').replace(/```/g, '`\u200b``');
  return '```\n' + keepTail(safe, max - 8) + '\n```';
}

/** Shorten an id-like string without notes (ids must stay machine-readable). */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max);
}
