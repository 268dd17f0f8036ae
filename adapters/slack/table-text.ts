import { escapeMrkdwn } from './mrkdwn.ts';

/** Widest a table cell may be before it is cut with `…` (keeps rows on one line on a laptop). */
const MAX_CELL = 40;

/**
 * A neutral table as a monospaced code block of at most `max` chars (fences included). Slack has no
 * table block for bots in every workspace, so columns are padded with spaces. When the rows do not
 * fit, the header stays, the LAST rows stay, and a line says how many rows were cut.
 */
export function tableFence(columns: string[], rows: string[][], max: number): string {
  const width = columns.map((c, i) => Math.min(MAX_CELL, Math.max(c.length, ...rows.map((r) => (r[i] ?? '').length))));
  const line = (cells: string[]): string =>
    width.map((w, i) => cell(cells[i] ?? '', w)).join('  ').replace(/\s+$/, '');
  const head = [line(columns), width.map((w) => '─'.repeat(w)).join('  ')].map(safe);
  const body = rows.map((r) => safe(line(r)));
  const budget = max - 8; // the two fences and their newlines
  const all = [...head, ...body].join('\n');
  if (all.length <= budget) return fence(all || '(empty table)');

  const kept: string[] = [];
  let size = head.join('\n').length + 40; // the note line
  for (let i = body.length - 1; i >= 0; i--) {
    const row = body[i]!;
    if (size + row.length + 1 > budget) break;
    kept.unshift(row);
    size += row.length + 1;
  }
  const note = `… ${body.length - kept.length} of ${body.length} rows cut`;
  return fence([...head, note, ...kept].join('\n').slice(0, budget));
}

function cell(text: string, width: number): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > width ? `${flat.slice(0, width - 1)}…` : flat.padEnd(width);
}

function safe(text: string): string {
  return escapeMrkdwn(text).replace(/```/g, '`\u200b``');
}

function fence(body: string): string {
  return '```\n' + body + '\n```';
}
