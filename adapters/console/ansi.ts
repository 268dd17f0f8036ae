/** Terminal text helpers: ANSI styling, control-character scrubbing and visible width. */

const CODES = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
} as const;

export type Style = keyof typeof CODES;

/** Wraps `text` in the ANSI codes of `styles` when `color` is on; returns it unchanged otherwise. */
export function paint(text: string, color: boolean, ...styles: Style[]): string {
  if (!color || text === '' || styles.length === 0) return text;
  const open = styles.map((s) => `\x1b[${CODES[s][0]}m`).join('');
  const close = styles.map((s) => `\x1b[${CODES[s][1]}m`).reverse().join('');
  return open + text + close;
}

// eslint-disable-next-line no-control-regex
const ANSI_SEQUENCE = /\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])/g;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

/**
 * Removes escape sequences and control characters (keeping newlines, tabs become spaces).
 * Why: message text carries node and ssh output; a stray escape sequence must not be able to
 * recolour, clear or retitle the operator's terminal.
 */
export function scrub(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(/\t/g, '  ').replace(ANSI_SEQUENCE, '').replace(CONTROL, '');
}

/** Same as `scrub`, and folds the text onto one line (table cells, button labels). */
export function scrubLine(text: string): string {
  return scrub(text).replace(/\n+/g, ' ');
}

/** Removes our own ANSI styling (used to measure styled text). */
export function stripAnsi(text: string): string {
  return text.replace(ANSI_SEQUENCE, '');
}

const ZERO_WIDTH = /[\p{Mn}\p{Me}\u200b-\u200f\ufe00-\ufe0f]/u;

function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf && cp !== 0x303f) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

function charWidth(ch: string): number {
  if (ZERO_WIDTH.test(ch)) return 0;
  return isWide(ch.codePointAt(0) ?? 0) ? 2 : 1;
}

/** Columns `text` occupies in a terminal (ANSI codes ignored, CJK and emoji count double). */
export function visibleWidth(text: string): number {
  let width = 0;
  for (const ch of stripAnsi(text)) width += charWidth(ch);
  return width;
}

/** Cuts plain `text` to at most `max` columns, ending with `ellipsis` when something was cut. */
export function truncate(text: string, max: number, ellipsis = '…'): string {
  if (visibleWidth(text) <= max) return text;
  const room = max - visibleWidth(ellipsis);
  if (room <= 0) return ellipsis.slice(0, Math.max(0, max));
  let out = '';
  let width = 0;
  for (const ch of text) {
    const w = charWidth(ch);
    if (width + w > room) break;
    out += ch;
    width += w;
  }
  return out + ellipsis;
}

/** Pads (possibly styled) `text` with spaces on the right to `width` visible columns. */
export function padEnd(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - visibleWidth(text)));
}

/**
 * Whether to colour a stream: only a TTY, and never when `NO_COLOR` is set (https://no-color.org).
 */
export function shouldColor(stream: unknown, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  return (stream as { isTTY?: boolean } | null)?.isTTY === true;
}

/** Terminal width of a stream, or `fallback` when it is not a TTY. @defaultValue 80 */
export function streamWidth(stream: unknown, fallback = Number(process.env['COLUMNS']) || 160): number {
  // Not a terminal (pipes, scripts, --exec): no wrapping to fight, so tables keep their full cells.
  const cols = (stream as { columns?: number } | null)?.columns;
  return typeof cols === 'number' && cols > 20 ? cols : fallback;
}
