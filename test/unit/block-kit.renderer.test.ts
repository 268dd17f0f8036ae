import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LIMITS } from '../../adapters/slack/block-kit.limits.ts';
import { renderMessage, type SlackBlock } from '../../adapters/slack/block-kit.renderer.ts';
import type { Block, Message } from '../../src/chat/message.ts';
import { checkBlocks } from '../stand-ins/slack-blocks.check.ts';

const msg = (blocks: Block[], extra: Partial<Message> = {}): Message => ({ text: 'fallback', blocks, ...extra });
const json = (blocks: SlackBlock[]) => JSON.stringify(blocks);
const texts = (blocks: SlackBlock[]) => json(blocks);
/** Every output must also pass the stand-in's copy of Slack's checks. */
const valid = (blocks: SlackBlock[], max = 50) => assert.equal(checkBlocks(blocks, max), undefined, JSON.stringify(checkBlocks(blocks, max)));

describe('Block Kit renderer', () => {
  it('renders header, text, fields, context, divider and buttons', () => {
    const out = renderMessage(msg([
      { type: 'header', text: 'Upgrade geth to 1.14.3' },
      { type: 'text', text: 'Plan for **prod**: 3 nodes' },
      { type: 'fields', fields: [{ label: 'Env', value: 'prod' }, { label: 'Nodes', value: '3' }] },
      { type: 'divider' },
      { type: 'context', text: 'requested by <@U1>' },
      { type: 'actions', buttons: [
        { actionId: 'approve', label: 'Approve', value: 'apr-1234', style: 'primary' },
        { actionId: 'reject', label: 'Reject', value: 'apr-1234', style: 'danger', confirm: { title: 'Reject?', text: 'This cancels the rollout.' } },
      ] },
    ]));
    assert.deepEqual(out.blocks.map((b) => b.type), ['header', 'section', 'section', 'divider', 'context', 'actions']);
    const section = out.blocks[1] as unknown as { text: { type: string; text: string } };
    assert.equal(section.text.type, 'mrkdwn');
    assert.equal(section.text.text, 'Plan for *prod*: 3 nodes');
    assert.match(texts(out.blocks), /requested by &lt;@U1&gt;/, 'mentions from data are escaped, never pings');
    const [approve, reject] = (out.blocks[5] as unknown as { elements: Array<Record<string, any>> }).elements;
    assert.equal(approve!.action_id, 'approve');
    assert.equal(approve!.value, 'apr-1234');
    assert.equal(approve!.style, 'primary');
    assert.equal(approve!.confirm, undefined);
    assert.equal(reject!.style, 'danger');
    assert.equal(reject!.confirm.style, 'danger');
    assert.equal(reject!.confirm.title.text, 'Reject?');
    assert.equal(out.text, 'fallback');
    valid(out.blocks);
  });

  it('cuts 60 blocks to at most 50, keeps header and buttons, and says how many were cut', () => {
    const blocks: Block[] = [{ type: 'header', text: 'Log' }];
    for (let i = 1; i <= 58; i++) blocks.push({ type: 'text', text: `line ${i}` });
    blocks.push({ type: 'actions', buttons: [{ actionId: 'ack', label: 'Ack', value: 'a1' }] });
    const out = renderMessage(msg(blocks));
    assert.ok(out.blocks.length <= LIMITS.blocksPerMessage, `${out.blocks.length} blocks`);
    assert.equal(out.blocks[0]!.type, 'header');
    assert.equal(out.blocks.at(-1)!.type, 'actions');
    const all = texts(out.blocks);
    assert.match(all, /(\d+) earlier blocks cut/);
    assert.match(all, /line 58/, 'the tail is kept');
    assert.doesNotMatch(all, /"line 1"/);
    const cut = Number(/(\d+) earlier blocks cut/.exec(all)![1]);
    assert.equal(cut, 60 - (out.blocks.length - 1), 'the note counts exactly what was dropped');
    valid(out.blocks);
  });

  it('keeps the tail of a 10 000-char table and says how many rows were cut', () => {
    const rows = Array.from({ length: 250 }, (_, i) => [`node-${String(i).padStart(3, '0')}`, 'v1.14.3', String(19_000_000 + i)]);
    const out = renderMessage(msg([{ type: 'table', columns: ['node', 'version', 'head'], rows }]));
    const section = out.blocks[0] as unknown as { text: { text: string } };
    assert.ok(section.text.text.length <= LIMITS.sectionText);
    assert.match(section.text.text, /^```\n/);
    assert.match(section.text.text, /node\s+version\s+head/, 'the header row stays');
    assert.match(section.text.text, /node-249/, 'the last row stays');
    assert.doesNotMatch(section.text.text, /node-000/);
    assert.match(section.text.text, /… \d+ of 250 rows cut/);
    valid(out.blocks);
  });

  it('keeps the tail of long code output and counts the cut lines', () => {
    const log = Array.from({ length: 2000 }, (_, i) => `TASK [step ${i}] ok`).join('\n');
    const out = renderMessage(msg([{ type: 'code', text: log }]));
    const text = (out.blocks[0] as unknown as { text: { text: string } }).text.text;
    assert.ok(text.length <= LIMITS.sectionText);
    assert.match(text, /step 1999\] ok\n```$/);
    assert.match(text, /… \d+ earlier lines \(\d+ chars\) cut/);
  });

  it('truncates a header to 150 chars and shows severity as a coloured emoji', () => {
    const out = renderMessage(msg([{ type: 'header', text: 'x'.repeat(400) }], { severity: 'error' }));
    const header = out.blocks[0] as unknown as { text: { type: string; text: string } };
    assert.equal(header.text.type, 'plain_text');
    assert.ok(header.text.text.length <= LIMITS.headerText);
    assert.ok(header.text.text.startsWith(':red_circle: '));
    assert.match(header.text.text, /chars cut\)$/);
    assert.ok(out.text.startsWith(':red_circle: '));
    valid(out.blocks);
  });

  it('keeps action ids, block ids, button values and labels within limits', () => {
    const long = 'a'.repeat(600);
    const out = renderMessage(msg([{ type: 'actions', buttons: [{ actionId: long, label: long, value: 'v'.repeat(5000) }] }]));
    const el = (out.blocks[0] as unknown as { elements: Array<Record<string, any>> }).elements[0]!;
    assert.ok(el.action_id.length <= LIMITS.actionId);
    assert.ok(el.text.text.length <= LIMITS.buttonText);
    assert.ok(el.value.length <= LIMITS.buttonValue);
    for (const b of out.blocks) assert.ok(b.block_id!.length <= LIMITS.blockId);
    assert.equal(new Set(out.blocks.map((b) => b.block_id)).size, out.blocks.length, 'block ids are unique');
    valid(out.blocks);
  });

  it('splits buttons that share an action id into separate actions blocks', () => {
    const out = renderMessage(msg([{ type: 'actions', buttons: [
      { actionId: 'approve', label: 'Approve A', value: 'a' },
      { actionId: 'approve', label: 'Approve B', value: 'b' },
    ] }]));
    assert.equal(out.blocks.length, 2);
    valid(out.blocks);
  });

  it('splits more than 10 fields into several sections with fields ≤ 2 000 chars', () => {
    const fields = Array.from({ length: 23 }, (_, i) => ({ label: `f${i}`, value: 'y'.repeat(i === 0 ? 5000 : 10) }));
    const out = renderMessage(msg([{ type: 'fields', fields }]));
    assert.equal(out.blocks.length, 3);
    for (const b of out.blocks) {
      const f = (b as unknown as { fields: Array<{ text: string }> }).fields;
      assert.ok(f.length <= LIMITS.fieldsPerSection);
      for (const x of f) assert.ok(x.text.length <= LIMITS.fieldText);
    }
    valid(out.blocks);
  });

  it('stays under the msg_blocks_too_long guard, shrinking big blocks before dropping', () => {
    const big = (n: number) => Array.from({ length: 400 }, (_, i) => `${n}:${i} ${'z'.repeat(20)}`).join('\n');
    const out = renderMessage(msg([
      { type: 'header', text: 'Five logs' },
      ...[1, 2, 3, 4, 5, 6].map((n): Block => ({ type: 'code', text: big(n) })),
      { type: 'actions', buttons: [{ actionId: 'abort', label: 'Abort', value: 'r1', style: 'danger' }] },
    ]));
    assert.ok(json(out.blocks).length <= LIMITS.blocksJson, `${json(out.blocks).length} chars`);
    assert.equal(out.blocks[0]!.type, 'header');
    assert.equal(out.blocks.at(-1)!.type, 'actions');
    assert.match(texts(out.blocks), /6:399 z/, 'the very end of the output survives');
    valid(out.blocks);
  });

  it('always sets a fallback text, even with no text and no blocks', () => {
    assert.equal(renderMessage({ text: '', blocks: [{ type: 'header', text: 'Rollout r-1 done' }] }).text, 'Rollout r-1 done');
    const empty = renderMessage({ text: '', blocks: [] });
    assert.equal(empty.text, 'ChainOps');
    assert.equal(empty.blocks.length, 1);
    const long = renderMessage({ text: 'q'.repeat(50_000), blocks: [] });
    assert.ok(long.text.length <= LIMITS.fallbackText);
  });

  it('allows 100 blocks for views', () => {
    const blocks: Block[] = Array.from({ length: 120 }, (_, i) => ({ type: 'context', text: `g${i}` }));
    const out = renderMessage(msg(blocks), { maxBlocks: LIMITS.blocksPerView });
    assert.ok(out.blocks.length <= 100 && out.blocks.length > 50);
    valid(out.blocks, 100);
  });
});
