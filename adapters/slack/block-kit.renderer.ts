import type { Block, Message, Severity } from '../../src/chat/message.ts';
import { LIMITS, MIN_SHRUNK_TEXT } from './block-kit.limits.ts';
import {
  actionsBlocks, contextBlock, fieldSections, headerBlock, proseSection, sectionBlock, type SlackBlock,
} from './block-kit.elements.ts';
import { codeFence, escapeMrkdwn, keepHead } from './mrkdwn.ts';
import { tableFence } from './table-text.ts';

export type { SlackBlock } from './block-kit.elements.ts';

/** What chat.postMessage / chat.update / response_url take. */
export interface RenderedMessage {
  /** Plain-text fallback: notifications, screen readers, clients without Block Kit. Never empty. */
  text: string;
  blocks: SlackBlock[];
}

export interface RenderOptions {
  /** Block cap. @defaultValue 50 (messages); pass LIMITS.blocksPerView (100) for modals and App Home. */
  maxBlocks?: number;
  /** Serialised-blocks cap guarding `msg_blocks_too_long`. @defaultValue 12 000 */
  maxJson?: number;
}

/** Severity as a coloured emoji in front of the header (or first line) and the fallback text. */
export const SEVERITY_EMOJI: Record<Severity, string> = {
  info: ':large_blue_circle:',
  ok: ':large_green_circle:',
  warn: ':large_yellow_circle:',
  error: ':red_circle:',
};

/** One rendered block plus what the size guard may do with it. */
interface Item {
  block: SlackBlock;
  /** Kept whatever gets cut: the leading header and the buttons. */
  pinned: boolean;
  /** Re-render within `max` text chars (code/tables keep their tail, prose its head). */
  reshape?: (max: number) => SlackBlock;
  max?: number;
}

/**
 * Render a neutral Message as Block Kit within every Slack limit. Pure: no I/O, no SDK.
 * Over the block cap, the earliest non-header, non-button blocks go and a note says how many; over
 * the size cap, the largest code/table/text blocks shrink first (keeping their tail), then blocks go.
 */
export function renderMessage(message: Message, options: RenderOptions = {}): RenderedMessage {
  const maxBlocks = options.maxBlocks ?? LIMITS.blocksPerMessage;
  const maxJson = options.maxJson ?? LIMITS.blocksJson;
  const items = withSeverity(message.blocks.flatMap((b, i) => toItems(b, i === 0)), message.severity);
  if (items.length === 0) items.push(prose(message.text || 'ChainOps'));

  let cut = dropToCount(items, maxBlocks);
  cut += shrinkToSize(items, maxJson, cut);
  return { text: fallbackText(message), blocks: withIds(assemble(items, cut)) };
}

function toItems(block: Block, first: boolean): Item[] {
  switch (block.type) {
    case 'header':
      return block.text.trim() ? [{ block: headerBlock(block.text), pinned: first }] : [];
    case 'text':
      return [prose(block.text)];
    case 'fields':
      return fieldSections(block.fields).map((b) => ({ block: b, pinned: false }));
    case 'table': {
      const reshape = (max: number) => sectionBlock(tableFence(block.columns, block.rows, max));
      return [{ block: reshape(LIMITS.sectionText), pinned: false, reshape, max: LIMITS.sectionText }];
    }
    case 'code': {
      const reshape = (max: number) => sectionBlock(codeFence(block.text, max));
      return [{ block: reshape(LIMITS.sectionText), pinned: false, reshape, max: LIMITS.sectionText }];
    }
    case 'context': {
      const reshape = (max: number) => contextBlock(keepHead(escapeMrkdwn(block.text), max), true);
      return [{ block: reshape(LIMITS.contextText), pinned: false, reshape, max: LIMITS.contextText }];
    }
    case 'actions':
      return actionsBlocks(block.buttons).map((b) => ({ block: b, pinned: true }));
    case 'divider':
      return [{ block: { type: 'divider' }, pinned: false }];
  }
}

function prose(text: string): Item {
  const reshape = (max: number) => proseSection(text, max);
  return { block: reshape(LIMITS.sectionText), pinned: false, reshape, max: LIMITS.sectionText };
}

function withSeverity(items: Item[], severity: Severity | undefined): Item[] {
  if (!severity) return items;
  const emoji = SEVERITY_EMOJI[severity];
  const first = items[0]?.block;
  if (first?.type === 'header') {
    const text = first.text as { text: string };
    items[0] = { ...items[0]!, block: headerBlock(`${emoji} ${text.text}`) };
  } else {
    items.unshift({ block: contextBlock(`${emoji} ${severity}`, true), pinned: true });
  }
  return items;
}

/** Enforce the block cap; returns how many blocks were dropped. */
function dropToCount(items: Item[], maxBlocks: number): number {
  if (items.length <= maxBlocks) return 0;
  const room = maxBlocks - 1; // one slot for the "cut" note
  let excess = items.length - room;
  let dropped = 0;
  // Earliest unpinned first (the tail of output is what matters), then pinned ones if still over.
  for (const pinned of [false, true]) {
    for (let i = 0; i < items.length && excess > 0; ) {
      if (items[i]!.pinned === pinned && !(pinned && i === 0)) {
        items.splice(i, 1);
        excess--;
        dropped++;
      } else i++;
    }
  }
  return dropped;
}

/** Enforce the serialised-size cap; returns how many more blocks were dropped. */
function shrinkToSize(items: Item[], maxJson: number, alreadyCut: number): number {
  let dropped = 0;
  for (let guard = 0; guard < 500; guard++) {
    const size = JSON.stringify(assemble(items, alreadyCut + dropped)).length + 20 * items.length; // + ids
    if (size <= maxJson) return dropped;
    const over = size - maxJson;
    const target = largestShrinkable(items);
    if (target) {
      const next = Math.max(MIN_SHRUNK_TEXT, target.max! - over - 100);
      target.max = next;
      target.block = target.reshape!(next);
      continue;
    }
    const idx = items.findIndex((it) => !it.pinned);
    if (idx < 0) return dropped; // only header and buttons left; they are small by construction
    items.splice(idx, 1);
    dropped++;
  }
  return dropped;
}

function largestShrinkable(items: Item[]): Item | undefined {
  let best: Item | undefined;
  let bestSize = 0;
  for (const it of items) {
    if (!it.reshape || it.pinned || (it.max ?? 0) <= MIN_SHRUNK_TEXT) continue;
    const size = JSON.stringify(it.block).length;
    if (size > bestSize) [best, bestSize] = [it, size];
  }
  return best;
}

/** The blocks in order, with a note right after the header when blocks were cut. */
function assemble(items: Item[], cut: number): SlackBlock[] {
  const blocks = items.map((it) => it.block);
  if (cut > 0) {
    const at = blocks[0]?.type === 'header' ? 1 : 0;
    const note = `:scissors: ${cut} earlier block${cut === 1 ? '' : 's'} cut to fit Slack's message limits — showing the end.`;
    blocks.splice(at, 0, contextBlock(note, true));
  }
  return blocks;
}

/** Unique, short, stable-per-position block ids. */
function withIds(blocks: SlackBlock[]): SlackBlock[] {
  return blocks.map((b, i) => ({ ...b, block_id: `cb${i}-${b.type}`.slice(0, LIMITS.blockId) }));
}

/** Fallback text: severity emoji + the message text (or its first header/text), escaped, trimmed. */
export function fallbackText(message: Message): string {
  const derived = message.text.trim() || firstText(message.blocks) || 'ChainOps';
  const prefix = message.severity ? `${SEVERITY_EMOJI[message.severity]} ` : '';
  return keepHead(prefix + escapeMrkdwn(derived), LIMITS.fallbackText);
}

function firstText(blocks: Block[]): string | undefined {
  for (const b of blocks) if ((b.type === 'header' || b.type === 'text' || b.type === 'context') && b.text.trim()) return b.text.trim();
  return undefined;
}
