/**
 * The Block Kit checks Slack applies on chat.postMessage / chat.update / views.*: the stand-in
 * answers `invalid_blocks` (with the reasons in response_metadata.messages) or `msg_blocks_too_long`
 * exactly where Slack would, so a renderer bug shows up in tests instead of in a workspace.
 */

type Json = Record<string, unknown>;

/** Slack's cliff for msg_blocks_too_long is undocumented; observed near 13 200 chars (bolt-js#2509). */
export const BLOCKS_TOO_LONG_AT = 13_000;

export function checkBlocks(blocks: unknown, maxBlocks: number): { error: string; messages: string[] } | undefined {
  if (blocks === undefined) return undefined;
  if (!Array.isArray(blocks)) return { error: 'invalid_blocks_format', messages: ['blocks must be an array'] };
  const messages: string[] = [];
  const bad = (where: string, why: string) => messages.push(`[ERROR] ${why} [json-pointer:${where}]`);
  if (blocks.length > maxBlocks) bad('/blocks', `no more than ${maxBlocks} items allowed`);
  const blockIds = new Set<string>();
  blocks.forEach((raw, i) => {
    const b = raw as Json;
    const at = `/blocks/${i}`;
    if (typeof b.block_id === 'string') {
      if (b.block_id.length > 255) bad(`${at}/block_id`, 'must be less than 256 characters');
      if (blockIds.has(b.block_id)) bad(`${at}/block_id`, 'duplicate block_id');
      blockIds.add(b.block_id);
    }
    switch (b.type) {
      case 'header':
        textMax(b.text, 150, `${at}/text`, bad, 'plain_text');
        break;
      case 'section': {
        if (b.text !== undefined) textMax(b.text, 3000, `${at}/text`, bad);
        const fields = b.fields as Json[] | undefined;
        if (fields) {
          if (fields.length > 10) bad(`${at}/fields`, 'no more than 10 items allowed');
          fields.forEach((f, j) => textMax(f, 2000, `${at}/fields/${j}`, bad));
        }
        if (b.text === undefined && !fields) bad(at, 'must provide text or fields');
        break;
      }
      case 'context': {
        const els = (b.elements as Json[] | undefined) ?? [];
        if (els.length === 0 || els.length > 10) bad(`${at}/elements`, 'must have 1 to 10 items');
        els.forEach((e, j) => textMax(e, 3000, `${at}/elements/${j}`, bad));
        break;
      }
      case 'actions':
        checkActions(b, at, bad);
        break;
      case 'divider':
      case 'input':
        break;
      default:
        bad(`${at}/type`, `unknown block type ${String(b.type)}`);
    }
  });
  if (messages.length) return { error: 'invalid_blocks', messages };
  if (JSON.stringify(blocks).length > BLOCKS_TOO_LONG_AT) return { error: 'msg_blocks_too_long', messages: [] };
  return undefined;
}

function checkActions(b: Json, at: string, bad: (where: string, why: string) => void): void {
  const els = (b.elements as Json[] | undefined) ?? [];
  if (els.length === 0 || els.length > 25) bad(`${at}/elements`, 'must have 1 to 25 items');
  const ids = new Set<string>();
  els.forEach((e, j) => {
    const where = `${at}/elements/${j}`;
    const id = e.action_id as string | undefined;
    if (id !== undefined) {
      if (id.length > 255) bad(`${where}/action_id`, 'must be less than 256 characters');
      if (ids.has(id)) bad(`${where}/action_id`, 'duplicate action_id in block');
      ids.add(id);
    }
    if (e.type === 'button') {
      textMax(e.text, 75, `${where}/text`, bad, 'plain_text');
      if (e.value !== undefined && (typeof e.value !== 'string' || e.value.length === 0 || e.value.length > 2000)) bad(`${where}/value`, 'must be 1 to 2000 characters');
      if (e.style !== undefined && e.style !== 'primary' && e.style !== 'danger') bad(`${where}/style`, 'must be primary or danger');
      const c = e.confirm as Json | undefined;
      if (c) {
        textMax(c.title, 100, `${where}/confirm/title`, bad, 'plain_text');
        textMax(c.text, 300, `${where}/confirm/text`, bad);
        textMax(c.confirm, 30, `${where}/confirm/confirm`, bad, 'plain_text');
        textMax(c.deny, 30, `${where}/confirm/deny`, bad, 'plain_text');
      }
    }
  });
}

function textMax(obj: unknown, max: number, at: string, bad: (where: string, why: string) => void, only?: 'plain_text'): void {
  const t = obj as Json | undefined;
  if (!t || typeof t.text !== 'string' || (t.type !== 'plain_text' && t.type !== 'mrkdwn')) return void bad(at, 'must be a text object');
  if (only && t.type !== only) bad(`${at}/type`, `must be ${only}`);
  if (t.text.length === 0) bad(`${at}/text`, 'must be at least 1 character');
  if (t.text.length > max) bad(`${at}/text`, `must be less than ${max + 1} characters`);
}
