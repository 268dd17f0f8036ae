import type { Button } from '../../src/chat/message.ts';
import { LIMITS } from './block-kit.limits.ts';
import { clip, keepHead, toMrkdwn } from './mrkdwn.ts';

/** One Block Kit block as sent to Slack (the renderer builds only the kinds below). */
export type SlackBlock = Record<string, unknown> & { type: string; block_id?: string };

const plain = (text: string, max: number) => ({ type: 'plain_text', text: keepHead(text, max) || ' ', emoji: true });

export function headerBlock(text: string): SlackBlock {
  return { type: 'header', text: plain(text.replace(/\s+/g, ' ').trim(), LIMITS.headerText) };
}

/** A section whose mrkdwn is already escaped and within limits. */
export function sectionBlock(mrkdwn: string): SlackBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: mrkdwn || ' ' } };
}

/** Prose: escape, convert, keep the head (prose is written by the core and rarely long). */
export function proseSection(text: string, max: number = LIMITS.sectionText): SlackBlock {
  return sectionBlock(keepHead(toMrkdwn(text), max));
}

/** Label/value pairs as section fields, 10 per section. */
export function fieldSections(fields: Array<{ label: string; value: string }>): SlackBlock[] {
  const out: SlackBlock[] = [];
  for (let i = 0; i < fields.length; i += LIMITS.fieldsPerSection) {
    out.push({
      type: 'section',
      fields: fields.slice(i, i + LIMITS.fieldsPerSection).map((f) => ({
        type: 'mrkdwn',
        text: keepHead(`*${toMrkdwn(f.label)}*\n${toMrkdwn(f.value)}`, LIMITS.fieldText),
      })),
    });
  }
  return out;
}

export function contextBlock(text: string, escaped = false): SlackBlock {
  const mrkdwn = escaped ? text : toMrkdwn(text);
  return { type: 'context', elements: [{ type: 'mrkdwn', text: keepHead(mrkdwn, LIMITS.contextText) || ' ' }] };
}

/**
 * Buttons as actions blocks. Slack rejects two elements with the same action_id in one block, and
 * more than 25 elements, so a repeated action id or the 26th button starts a new block.
 */
export function actionsBlocks(buttons: Button[]): SlackBlock[] {
  const out: SlackBlock[] = [];
  let current: Array<Record<string, unknown>> = [];
  let ids = new Set<string>();
  for (const b of buttons) {
    const id = clip(b.actionId, LIMITS.actionId);
    if (ids.has(id) || current.length >= LIMITS.actionsElements) {
      out.push({ type: 'actions', elements: current });
      current = [];
      ids = new Set();
    }
    ids.add(id);
    current.push(buttonElement(b, id));
  }
  if (current.length) out.push({ type: 'actions', elements: current });
  return out;
}

function buttonElement(b: Button, actionId: string): Record<string, unknown> {
  const el: Record<string, unknown> = {
    type: 'button',
    action_id: actionId,
    text: plain(b.label || b.actionId, LIMITS.buttonText),
  };
  // Slack rejects an empty value; an absent one comes back as '' (see slack-events.ts).
  if (b.value) el.value = clip(b.value, LIMITS.buttonValue);
  if (b.style) el.style = b.style;
  if (b.confirm) {
    el.confirm = {
      title: plain(b.confirm.title, LIMITS.confirmTitle),
      text: plain(b.confirm.text, LIMITS.confirmText),
      confirm: plain(b.label || 'Yes', LIMITS.confirmButton),
      deny: plain('Cancel', LIMITS.confirmButton),
      // Slack's dialog styles its confirm button; red for danger, green otherwise.
      style: b.style === 'danger' ? 'danger' : 'primary',
    };
  }
  return el;
}
