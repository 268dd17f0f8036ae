/** A table block as aligned monospace text for a Discord code block. Pure. */

/** Wider cells are cut: code blocks wrap on phones, and one chatty cell should not push the rest away. */
const MAX_CELL = 32;

function cell(s: string): string {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_CELL ? `${flat.slice(0, MAX_CELL - 1)}…` : flat;
}

export function tableText(columns: string[], rows: string[][]): string {
  const head = columns.map(cell);
  const body = rows.map((r) => columns.map((_, i) => cell(r[i] ?? '')));
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}
