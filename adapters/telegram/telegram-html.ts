import type { Block, Message } from '../../src/chat/message.ts';

/** Telegram's limit on a message's text after entities are parsed. */
export const TEXT_LIMIT = 4096;

/** HTML parse mode needs only these three escaped (core.telegram.org/bots/api#html-style). */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** `inline code` in core text becomes <code>; everything else is escaped. */
function inline(s: string): string {
  return s.split(/(`[^`\n]+`)/g).map((part) => (/^`[^`\n]+`$/.test(part) ? `<code>${escapeHtml(part.slice(1, -1))}</code>` : escapeHtml(part))).join('');
}

const ICON: Record<NonNullable<Message['severity']>, string> = { info: '', ok: '✅ ', warn: '⚠️ ', error: '❌ ' };

function table(columns: string[], rows: string[][]): string {
  const all = [columns, ...rows];
  const widths = columns.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (c ?? '').padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(columns), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** One block as HTML, its visible text length counted by the caller after tags are dropped. */
function block(b: Block): string | undefined {
  switch (b.type) {
    case 'header': return `<b>${escapeHtml(b.text)}</b>`;
    case 'text': return inline(b.text);
    case 'fields': return b.fields.map((f) => `<b>${escapeHtml(f.label)}:</b> ${inline(f.value)}`).join('\n');
    case 'table': return `<pre>${escapeHtml(table(b.columns, b.rows))}</pre>`;
    case 'code': return `<pre>${escapeHtml(b.text)}</pre>`;
    case 'context': return `<i>${inline(b.text)}</i>`;
    case 'divider': return '──────────';
    case 'actions': return undefined;
  }
}

/** The length Telegram counts: the text once tags are gone and entities decoded. */
export function visibleLength(html: string): number {
  return html.replace(/<[^>]+>/g, '').replace(/&lt;|&gt;|&amp;/g, '_').length;
}

/**
 * A neutral message as Telegram HTML within 4096 visible characters. Blocks that do not fit are
 * dropped from the end with a note; a single block too long on its own (a long log) keeps its tail,
 * cut before escaping so no tag or entity is ever split.
 */
export function renderHtml(m: Message): string {
  const parts: string[] = [];
  const head = ICON[m.severity ?? 'info'];
  const blocks = m.blocks.length ? m.blocks : [{ type: 'text', text: m.text } as Block];
  let used = 0;
  for (const [i, b] of blocks.entries()) {
    let html = block(b);
    if (html === undefined) continue;
    // A header that starts with its own icon (🔴 FIRING …) needs no second one.
    if (i === 0 && head && !/^\p{Extended_Pictographic}/u.test(b.type === 'header' ? b.text : '')) html = head + html;
    const room = TEXT_LIMIT - used - 60;
    if (visibleLength(html) > room) {
      if ((b.type === 'code' || b.type === 'text' || b.type === 'table') && room > 200) {
        const raw = b.type === 'table' ? table(b.columns, b.rows) : b.text;
        const kept = `…${raw.slice(-(room - 10))}`;
        html = b.type === 'text' ? escapeHtml(kept) : `<pre>${escapeHtml(kept)}</pre>`;
        parts.push(html);
      }
      parts.push('<i>… (trimmed to fit Telegram)</i>');
      break;
    }
    parts.push(html);
    used += visibleLength(html) + 2;
  }
  return parts.join('\n\n') || escapeHtml(m.text.slice(0, TEXT_LIMIT - 10));
}
