/**
 * Neutral Message → Discord message body (`content`, `embeds`, `components`) within Discord's limits.
 * Pure: no I/O. Headers become the embed title, text/code/tables its description (long output keeps
 * its tail and says how much was cut), fields become embed fields, context the footer, severity the
 * colour, buttons action rows.
 */
import type { Block, Button, Message, Severity } from '../../src/chat/message.ts';
import { renderActionRows, type DiscordActionRow } from './discord-components.renderer.ts';
import { LIMITS, keepTail, truncateEnd } from './discord-limits.ts';
import { tableText } from './discord-table.text.ts';

export interface DiscordEmbed {
  title?: string;
  description?: string;
  color?: number;
  fields?: Array<{ name: string; value: string; inline: boolean }>;
  footer?: { text: string };
}

export interface DiscordMessageBody {
  content: string;
  embeds: DiscordEmbed[];
  components: DiscordActionRow[];
}

/** Discord's brand palette, so colours read the same as Discord's own UI. */
export const SEVERITY_COLOR: Record<Severity, number> = {
  info: 0x5865f2,
  ok: 0x57f287,
  warn: 0xfee75c,
  error: 0xed4245,
};

/** Room kept for the description when fields would otherwise eat the whole 6 000-char embed budget. */
const DESCRIPTION_RESERVE = 1_000;
/** Below this, a cut segment says nothing useful: drop it instead. */
const MIN_SEGMENT = 80;

type Segment = { code: boolean; text: string };

export function renderDiscordMessage(message: Message): DiscordMessageBody {
  let title: string | undefined;
  const segments: Segment[] = [];
  const fields: Array<{ label: string; value: string }> = [];
  const footers: string[] = [];
  const buttons: Button[][] = [];
  for (const block of message.blocks) collect(block);

  const { rows, dropped } = renderActionRows(buttons);
  if (dropped > 0) footers.push(`${dropped} button${dropped === 1 ? '' : 's'} could not be shown`);
  const color = message.severity ? SEVERITY_COLOR[message.severity] : undefined;
  const hasContent = title !== undefined || segments.length > 0 || fields.length > 0 || footers.length > 0;

  if (!hasContent) {
    const text = message.text.trim() === '' ? '\u200b' : message.text;
    // Plain text with a severity still gets its colour: it is often an alert or an error.
    if (color !== undefined) return { content: '', embeds: [{ description: keepTail(text, LIMITS.description), color }], components: rows };
    return { content: keepTail(text, LIMITS.content), embeds: [], components: rows };
  }

  const embed: DiscordEmbed = {};
  if (title !== undefined) embed.title = truncateEnd(title, LIMITS.title);
  if (color !== undefined) embed.color = color;
  if (footers.length > 0) embed.footer = { text: truncateEnd(footers.join(' · '), LIMITS.footer) };
  let used = (embed.title?.length ?? 0) + (embed.footer?.text.length ?? 0);

  const shownFields = fitFields(fields, LIMITS.embedTotal - used - (segments.length > 0 ? DESCRIPTION_RESERVE : 0));
  if (shownFields.length > 0) embed.fields = shownFields;
  used += shownFields.reduce((n, f) => n + f.name.length + f.value.length, 0);

  const description = fitSegments(segments, Math.min(LIMITS.description, LIMITS.embedTotal - used));
  if (description !== '') embed.description = description;
  return { content: '', embeds: [embed], components: rows };

  function collect(block: Block): void {
    switch (block.type) {
      case 'header':
        if (oneLine(block.text) === '') return;
        if (title === undefined) title = oneLine(block.text);
        else segments.push({ code: false, text: `**${oneLine(block.text)}**` });
        return;
      case 'text':
        if (block.text.trim() !== '') segments.push({ code: false, text: block.text });
        return;
      case 'fields':
        fields.push(...block.fields);
        return;
      case 'table':
        segments.push({ code: true, text: tableText(block.columns, block.rows) });
        return;
      case 'code':
        segments.push({ code: true, text: block.text.replace(/\n+$/, '') });
        return;
      case 'context':
        if (block.text.trim() !== '') footers.push(oneLine(block.text));
        return;
      case 'divider':
        segments.push({ code: false, text: '─'.repeat(24) });
        return;
      case 'actions':
        buttons.push(block.buttons);
        return;
    }
  }
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** Fields within 25 × (256 name, 1 024 value) and `budget` chars; what does not fit is summed up in a last field. */
function fitFields(fields: Array<{ label: string; value: string }>, budget: number): NonNullable<DiscordEmbed['fields']> {
  const out: NonNullable<DiscordEmbed['fields']> = [];
  let used = 0;
  const moreField = (n: number) => ({ name: '…', value: `${n} more not shown`, inline: false });
  for (const [i, f] of fields.entries()) {
    const name = truncateEnd(oneLine(f.label) || '\u200b', LIMITS.fieldName);
    const value = truncateEnd(f.value.trim() || '\u200b', LIMITS.fieldValue);
    const left = fields.length - i;
    const reserve = left > 1 ? 30 : 0; // room for the "N more" field
    if (out.length >= LIMITS.fields - (left > 1 ? 1 : 0) || used + name.length + value.length + reserve > budget) {
      const more = moreField(left);
      if (used + more.name.length + more.value.length <= budget && out.length < LIMITS.fields) out.push(more);
      break;
    }
    // Short values sit side by side like a status card; long ones get the full width.
    out.push({ name, value, inline: value.length <= 40 && !value.includes('\n') });
    used += name.length + value.length;
  }
  return out;
}

function renderSegment(s: Segment): string {
  // A ``` inside the output would close our fence early; a zero-width space defuses it.
  return s.code ? `\`\`\`\n${s.text.replace(/```/g, '`\u200b``')}\n\`\`\`` : s.text;
}

/** Join segments into a description of at most `budget` chars, cutting the HEAD of the longest ones first. */
function fitSegments(input: Segment[], budget: number): string {
  // `max` is re-applied to the original text each time, so the cut notice always counts from the original.
  const segs = input.map((s) => ({ seg: s, max: undefined as number | undefined }));
  const textOf = (x: (typeof segs)[number]) => (x.max === undefined ? x.seg.text : keepTail(x.seg.text, x.max));
  const render = () =>
    segs
      .map((x) => ({ code: x.seg.code, text: textOf(x) }))
      .filter((s) => s.text !== '')
      .map(renderSegment)
      .join('\n');
  let out = render();
  for (let guard = 0; out.length > budget && guard < segs.length * 3 + 3; guard++) {
    const over = out.length - budget;
    let longest = segs[0]!;
    for (const x of segs) if (textOf(x).length > textOf(longest).length) longest = x;
    const target = textOf(longest).length - over;
    longest.max = target < MIN_SEGMENT ? 0 : target;
    out = render();
  }
  // Many tiny segments can still overflow: drop whole ones from the top so no code fence is split.
  while (out.length > budget && segs.length > 0) {
    segs.shift();
    out = render();
  }
  return out;
}
