import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Block, Message } from '../../src/chat/message.ts';
import { renderDiscordMessage, SEVERITY_COLOR, type DiscordMessageBody } from '../../adapters/discord/discord-embed.renderer.ts';
import { keepTail } from '../../adapters/discord/discord-limits.ts';

/** Every Discord limit a message body must meet, checked in one place. */
function assertWithinLimits(body: DiscordMessageBody): void {
  assert.ok(body.content.length <= 2000, `content ${body.content.length}`);
  assert.ok(body.embeds.length <= 10);
  let total = 0;
  for (const e of body.embeds) {
    assert.ok((e.title ?? '').length <= 256, `title ${e.title?.length}`);
    assert.ok((e.description ?? '').length <= 4096, `description ${e.description?.length}`);
    assert.ok((e.fields ?? []).length <= 25, `fields ${e.fields?.length}`);
    assert.ok((e.footer?.text ?? '').length <= 2048);
    for (const f of e.fields ?? []) {
      assert.ok(f.name.length >= 1 && f.name.length <= 256, `field name ${f.name.length}`);
      assert.ok(f.value.length >= 1 && f.value.length <= 1024, `field value ${f.value.length}`);
    }
    total += (e.title ?? '').length + (e.description ?? '').length + (e.footer?.text ?? '').length;
    total += (e.fields ?? []).reduce((n, f) => n + f.name.length + f.value.length, 0);
  }
  assert.ok(total <= 6000, `embed total ${total}`);
  assert.ok(body.components.length <= 5, `rows ${body.components.length}`);
  const ids = new Set<string>();
  for (const row of body.components) {
    assert.ok(row.components.length >= 1 && row.components.length <= 5);
    for (const b of row.components) {
      assert.ok(b.label.length >= 1 && b.label.length <= 80, `label ${b.label.length}`);
      assert.ok(b.custom_id.length >= 1 && b.custom_id.length <= 100, `custom_id ${b.custom_id.length}`);
      assert.ok(!ids.has(b.custom_id), 'custom ids are unique within a message');
      ids.add(b.custom_id);
    }
  }
  assert.ok(body.content.length > 0 || body.embeds.length > 0, 'never an empty message');
}

test('header, text, fields, context and severity map to one embed', () => {
  const body = renderDiscordMessage({
    text: 'fleet status',
    severity: 'warn',
    blocks: [
      { type: 'header', text: 'Fleet status (prod)' },
      { type: 'text', text: 'eth-main is **degraded**' },
      { type: 'fields', fields: [{ label: 'healthy', value: '4/5' }, { label: 'max lag', value: '7 blocks' }] },
      { type: 'context', text: 'checked 12s ago' },
    ],
  });
  assertWithinLimits(body);
  assert.equal(body.content, '');
  const [embed] = body.embeds;
  assert.equal(embed?.title, 'Fleet status (prod)');
  assert.equal(embed?.description, 'eth-main is **degraded**');
  assert.equal(embed?.color, SEVERITY_COLOR.warn);
  assert.deepEqual(embed?.fields, [
    { name: 'healthy', value: '4/5', inline: true },
    { name: 'max lag', value: '7 blocks', inline: true },
  ]);
  assert.equal(embed?.footer?.text, 'checked 12s ago');
});

test('each severity has its own colour', () => {
  const colors = (['info', 'ok', 'warn', 'error'] as const).map((severity) => renderDiscordMessage({ text: 'x', severity, blocks: [{ type: 'text', text: 'x' }] }).embeds[0]?.color);
  assert.equal(new Set(colors).size, 4);
});

test('a message without content blocks is plain content; a long one keeps its tail and says how much was cut', () => {
  assert.deepEqual(renderDiscordMessage({ text: 'pong', blocks: [] }), { content: 'pong', embeds: [], components: [] });
  const long = Array.from({ length: 600 }, (_, i) => `line ${i}`).join('\n');
  const body = renderDiscordMessage({ text: long, blocks: [] });
  assertWithinLimits(body);
  assert.ok(body.content.endsWith('line 599'));
  assert.match(body.content, /^\[… [\d,]+ characters cut, showing the end\]\n/);
  const cut = Number(/([\d,]+) characters/.exec(body.content)![1]!.replace(/,/g, ''));
  assert.equal(cut + body.content.slice(body.content.indexOf('\n') + 1).length, long.length, 'the count is exact');
});

test('long code output keeps its tail inside the 4 096-char description', () => {
  const log = Array.from({ length: 5000 }, (_, i) => `TASK [upgrade] step ${i} ok`).join('\n') + '\nFATAL: geth did not come back';
  const body = renderDiscordMessage({ text: 'upgrade failed', severity: 'error', blocks: [{ type: 'header', text: 'Upgrade failed' }, { type: 'code', text: log }] });
  assertWithinLimits(body);
  const d = body.embeds[0]!.description!;
  assert.ok(d.startsWith('```\n[… '), d.slice(0, 60));
  assert.ok(d.endsWith('FATAL: geth did not come back\n```'));
  assert.ok(d.length > 3500, 'uses the room it has');
});

test('tables become aligned code blocks', () => {
  const body = renderDiscordMessage({
    text: 'nodes',
    blocks: [{ type: 'table', columns: ['node', 'version', 'lag'], rows: [['eth-1', '1.14.3', '0'], ['eth-22', '1.14.2', '12']] }],
  });
  assertWithinLimits(body);
  assert.equal(body.embeds[0]?.description, '```\nnode    version  lag\n------  -------  ---\neth-1   1.14.3   0\neth-22  1.14.2   12\n```');
});

test('a ``` inside output cannot close the code fence early', () => {
  const d = renderDiscordMessage({ text: 'x', blocks: [{ type: 'code', text: 'a ``` b' }] }).embeds[0]!.description!;
  assert.equal(d.match(/```/g)?.length, 2);
});

test('more than 25 fields, and huge fields, stay within field and total limits', () => {
  const fields = Array.from({ length: 40 }, (_, i) => ({ label: `node-${i} `.repeat(40), value: 'v'.repeat(2000) }));
  const body = renderDiscordMessage({ text: 'x', blocks: [{ type: 'header', text: 'T'.repeat(400) }, { type: 'fields', fields }, { type: 'text', text: 'y'.repeat(5000) }] });
  assertWithinLimits(body);
  const e = body.embeds[0]!;
  assert.ok(e.title!.endsWith('…') && e.title!.length === 256);
  assert.match(e.fields!.at(-1)!.value, /more not shown/);
  assert.ok((e.description ?? '').length > 0, 'the description keeps some room');
});

test('buttons: ≤ 5 rows of ≤ 5, labels cut to 80, ids that cannot fit are left out and counted', () => {
  const blocks: Block[] = Array.from({ length: 7 }, (_, r) => ({
    type: 'actions' as const,
    buttons: Array.from({ length: 6 }, (_, b) => ({ actionId: 'approve', value: `ap-${r}x${b}`, label: `Approve ${'!'.repeat(100)}`, style: 'primary' as const })),
  }));
  blocks.push({ type: 'actions', buttons: [{ actionId: 'x', value: 'v'.repeat(120), label: 'too long' }] });
  const body = renderDiscordMessage({ text: 'approve?', blocks: [{ type: 'text', text: 'approve?' }, ...blocks] });
  assertWithinLimits(body);
  assert.equal(body.components.length, 5);
  assert.equal(body.components[0]!.components[0]!.style, 1);
  assert.equal(body.components[0]!.components[0]!.custom_id, 'approve:ap-0x0');
  assert.match(body.embeds[0]!.footer!.text, /18 buttons could not be shown/);
});

test('button styles: primary 1, danger 4, default grey 2', () => {
  const body = renderDiscordMessage({
    text: 'x',
    blocks: [{ type: 'actions', buttons: [{ actionId: 'a', value: '1', label: 'A', style: 'primary' }, { actionId: 'b', value: '2', label: 'B', style: 'danger' }, { actionId: 'c', value: '3', label: 'C' }] }],
  });
  assert.deepEqual(body.components[0]!.components.map((b) => b.style), [1, 4, 2]);
  assert.equal(body.content, 'x', 'buttons alone carry no content, so the text is shown');
});

test('random messages always fit every limit', () => {
  let seed = 42;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  const str = (n: number) => 'abc def\n`'.repeat(Math.ceil(n / 9)).slice(0, n);
  for (let round = 0; round < 300; round++) {
    const blocks: Block[] = Array.from({ length: rnd(12) }, (): Block => {
      switch (rnd(8)) {
        case 0: return { type: 'header', text: str(rnd(400)) };
        case 1: return { type: 'text', text: str(rnd(6000)) };
        case 2: return { type: 'fields', fields: Array.from({ length: rnd(30) }, () => ({ label: str(rnd(300)), value: str(rnd(1500)) })) };
        case 3: return { type: 'table', columns: ['a', 'b'], rows: Array.from({ length: rnd(300) }, () => [str(rnd(50)), str(rnd(50))]) };
        case 4: return { type: 'code', text: str(rnd(20000)) };
        case 5: return { type: 'context', text: str(rnd(3000)) };
        case 6: return { type: 'divider' };
        default: return { type: 'actions', buttons: Array.from({ length: rnd(8) }, (_, i) => ({ actionId: `a${rnd(3)}`, value: `${i}`.repeat(rnd(60)), label: str(rnd(120)) })) };
      }
    });
    const message: Message = { text: str(rnd(3000)), blocks, ...(rnd(2) ? { severity: 'info' as const } : {}) };
    assertWithinLimits(renderDiscordMessage(message));
  }
});

test('keepTail never exceeds its budget', () => {
  for (const max of [0, 10, 50, 51, 60, 100, 4096]) {
    assert.ok(keepTail('x'.repeat(10_000), max).length <= max);
  }
});
