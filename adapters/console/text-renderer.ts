/** Renders a neutral Message as terminal text (the console adapter's Block Kit). */
import type { Block, Button, Message, Severity } from '../../src/chat/message.ts';
import { paint, scrub, scrubLine, visibleWidth, type Style } from './ansi.ts';
import { renderTableLines } from './table-text.ts';

export interface RenderTextOptions {
  /** Emit ANSI colour and bold; the adapter turns this on for a TTY without `NO_COLOR`. */
  color: boolean;
  /** Columns available for rules, tables and button rows. @defaultValue 80 */
  width?: number;
  /** Global numbers of the message's buttons, in order of appearance. @defaultValue 1, 2, 3 … */
  buttonNumbers?: number[];
  /** Use ASCII only (markers, rules, ellipsis) for terminals without UTF-8. @defaultValue false */
  ascii?: boolean;
}

const MARKERS: Record<Severity, { unicode: string; ascii: string; style: Style }> = {
  ok: { unicode: '✔', ascii: '[ok]', style: 'green' },
  warn: { unicode: '▲', ascii: '[warn]', style: 'yellow' },
  error: { unicode: '✖', ascii: '[error]', style: 'red' },
  info: { unicode: '•', ascii: '[info]', style: 'cyan' },
};

/** The severity marker (`✔`, `▲`, `✖`, `•`, or `[ok]`… in ASCII), coloured when asked. */
export function severityMarker(severity: Severity, color: boolean, ascii = false): string {
  const m = MARKERS[severity];
  return paint(ascii ? m.ascii : m.unicode, color, m.style, 'bold');
}

/** The neutral model's `**bold**` as terminal bold (or plain text): never literal asterisks. */
function inline(text: string, color: boolean): string {
  return text.replace(/\*\*([^*\n]+)\*\*/g, (_m, inner: string) => paint(inner, color, 'bold'));
}

/** Blocks that carry content of their own; when none is present the plain-text fallback is shown. */
const CONTENT = new Set<Block['type']>(['header', 'text', 'fields', 'table', 'code', 'context']);

function indentLines(text: string, indent: string): string[] {
  return text.split('\n').map((l) => (l === '' ? '' : indent + l));
}

function fieldLines(fields: Array<{ label: string; value: string }>, color: boolean): string[] {
  // Labels are aligned (up to a cap) so values read as a column.
  const w = Math.min(24, Math.max(0, ...fields.map((f) => visibleWidth(scrubLine(f.label)))));
  return fields.flatMap(({ label, value }) => {
    const l = scrubLine(label);
    const head = paint(`${l}:`, color, 'bold') + ' '.repeat(Math.max(1, w - visibleWidth(l) + 1));
    const [first = '', ...rest] = scrub(value).split('\n');
    const pad = ' '.repeat(Math.max(w, visibleWidth(l)) + 2);
    return [head + first, ...rest.map((r) => pad + r)];
  });
}

function buttonText(b: Button, n: number, color: boolean): string {
  const label = scrubLine(b.label);
  const style: Style[] = b.style === 'danger' ? ['red', 'bold'] : b.style === 'primary' ? ['green', 'bold'] : [];
  return paint(`[${n}]`, color, 'bold') + ' ' + paint(label, color, ...style);
}

/** Lays buttons out on as few lines as fit the width, two spaces apart. */
function actionLines(items: string[], width: number): string[] {
  const lines: string[] = [];
  let cur = '';
  for (const item of items) {
    if (cur !== '' && visibleWidth(cur) + 2 + visibleWidth(item) > width) {
      lines.push(cur);
      cur = item;
    } else cur = cur === '' ? item : `${cur}  ${item}`;
  }
  if (cur !== '') lines.push(cur);
  return lines;
}

/** Renders `message` as terminal text (no trailing newline). Pure: no I/O, no state. */
export function renderText(message: Message, opts: RenderTextOptions): string {
  const { color } = opts;
  const width = Math.max(20, opts.width ?? 80);
  const ascii = opts.ascii ?? false;
  const lines: string[] = [];
  let buttonIndex = 0;

  if (!message.blocks.some((b) => CONTENT.has(b.type)) && message.text.trim() !== '') {
    lines.push(...scrub(message.text).split('\n'));
  }
  for (const block of message.blocks) {
    switch (block.type) {
      case 'header':
        lines.push(paint(scrubLine(block.text), color, 'bold'));
        break;
      case 'text':
        lines.push(...inline(scrub(block.text), color).split('\n'));
        break;
      case 'fields':
        lines.push(...fieldLines(block.fields, color));
        break;
      case 'table':
        lines.push(...renderTableLines(block.columns, block.rows, { color, width, ascii }));
        break;
      case 'code':
        lines.push(...indentLines(scrub(block.text).replace(/\n+$/, ''), '    '));
        break;
      case 'context':
        lines.push(...scrub(block.text).split('\n').map((l) => paint(inline(l, false), color, 'dim')));
        break;
      case 'divider':
        lines.push(paint((ascii ? '-' : '─').repeat(Math.min(width, 60)), color, 'dim'));
        break;
      case 'actions': {
        const items = block.buttons.map((b) => {
          const n = opts.buttonNumbers?.[buttonIndex] ?? buttonIndex + 1;
          buttonIndex++;
          return buttonText(b, n, color);
        });
        lines.push(...actionLines(items, width));
        break;
      }
    }
  }
  if (message.severity) {
    const marker = severityMarker(message.severity, color, ascii);
    lines[0] = lines.length > 0 ? `${marker} ${lines[0]}` : marker;
  }
  return lines.join('\n');
}
