/** Renders a table block as aligned terminal columns. */
import { padEnd, paint, scrubLine, truncate, visibleWidth } from './ansi.ts';

export interface TableTextOptions {
  color: boolean;
  /** Total columns available. */
  width: number;
  ascii: boolean;
}

/** When a table does not fit, cells wider than this are cut first: one chatty cell must not push the rest off screen. */
const MAX_CELL = 48;
/** No column is squeezed below this many columns when fitting the table to the width. */
const MIN_CELL = 4;
const GAP = '  ';

/**
 * Every column at its natural width when the table fits in `total` columns; otherwise chatty cells are
 * cut to MAX_CELL first, then the widest columns shrink one step at a time until the row fits.
 */
function fitWidths(natural: number[], total: number): number[] {
  const span = (ws: number[]) => ws.reduce((a, b) => a + b, 0) + GAP.length * (ws.length - 1);
  if (span(natural) <= total) return [...natural];
  const widths = natural.map((w) => Math.min(w, MAX_CELL));
  const used = () => span(widths);
  while (used() > total) {
    let widest = -1;
    for (let i = 0; i < widths.length; i++) {
      if ((widths[i] ?? 0) > MIN_CELL && (widest < 0 || (widths[i] ?? 0) > (widths[widest] ?? 0))) widest = i;
    }
    if (widest < 0) break; // every column is already at the minimum: let the terminal wrap
    widths[widest] = (widths[widest] ?? 0) - 1;
  }
  return widths;
}

/** Returns the table's lines: header, a rule, then one line per row, columns padded by visible width. */
export function renderTableLines(columns: string[], rows: string[][], opts: TableTextOptions): string[] {
  const ncols = Math.max(columns.length, ...rows.map((r) => r.length));
  if (ncols === 0) return [];
  const clean = (r: string[]) => Array.from({ length: ncols }, (_, i) => scrubLine(r[i] ?? ''));
  const header = clean(columns);
  const body = rows.map(clean);
  const natural = header.map((_, i) => Math.max(...[header, ...body].map((r) => visibleWidth(r[i] ?? ''))));
  const widths = fitWidths(natural, opts.width);
  const ellipsis = opts.ascii ? '...' : '…';

  const line = (cells: string[], style?: 'bold') =>
    cells
      .map((cell, i) => {
        const w = widths[i] ?? 0;
        const cut = truncate(cell, w, ellipsis);
        // The last column is not padded: trailing spaces only make copy-paste worse.
        return i === cells.length - 1 ? paint(cut, opts.color, ...(style ? [style] : [])) : padEnd(paint(cut, opts.color, ...(style ? [style] : [])), w);
      })
      .join(GAP)
      .trimEnd();
  const ruleWidth = widths.reduce((a, b) => a + b, 0) + GAP.length * (widths.length - 1);
  const rule = paint((opts.ascii ? '-' : '─').repeat(ruleWidth), opts.color, 'dim');
  return [line(header, 'bold'), rule, ...body.map((r) => line(r))];
}
