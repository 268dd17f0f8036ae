import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Message } from '../../src/chat/message.ts';
import { renderText } from '../../adapters/console/text-renderer.ts';
import { visibleWidth, truncate } from '../../adapters/console/ansi.ts';

const ANSI = /\x1b\[/;

const msg = (blocks: Message['blocks'], extra: Partial<Message> = {}): Message => ({ text: 'fallback', blocks, ...extra });

test('table columns are aligned by visible width, with a header rule', () => {
  const out = renderText(
    msg([{ type: 'table', columns: ['node', 'height', 'peers'], rows: [['eth-1', '19000000', '25'], ['eth-东京', '7', '3']] }]),
    { color: false },
  );
  const lines = out.split('\n');
  assert.equal(lines.length, 4);
  assert.match(lines[1] ?? '', /^─+$/);
  // The second column starts at the same visible column on every line, even after wide characters.
  const col = (l: string, word: string) => visibleWidth(l.slice(0, l.indexOf(word)));
  assert.equal(col(lines[0]!, 'height'), col(lines[2]!, '19000000'));
  assert.equal(col(lines[0]!, 'height'), col(lines[3]!, '7'));
  assert.equal(col(lines[0]!, 'peers'), col(lines[3]!, '3'));
  assert.equal(visibleWidth(lines[1]!), visibleWidth('eth-东京') + 2 + '19000000'.length + 2 + 'peers'.length);
});

test('very long cells are truncated with an ellipsis and the table fits the width', () => {
  const long = 'x'.repeat(200);
  const out = renderText(msg([{ type: 'table', columns: ['node', 'log'], rows: [['eth-1', long]] }]), { color: false, width: 40 });
  for (const line of out.split('\n')) assert.ok(visibleWidth(line) <= 40, `too wide: ${line}`);
  assert.match(out, /x…$/m);
  assert.ok(!out.includes(long));
  assert.equal(truncate('abcdef', 4), 'abc…');
  assert.equal(truncate('abcdef', 5, '...'), 'ab...');
});

test('buttons are numbered with the numbers the adapter gives', () => {
  const out = renderText(
    msg([
      { type: 'actions', buttons: [{ actionId: 'approve', label: 'Approve', value: 'r1' }, { actionId: 'reject', label: 'Reject', value: 'r1' }] },
      { type: 'actions', buttons: [{ actionId: 'logs', label: 'Logs', value: 'j1' }] },
    ]),
    { color: false, buttonNumbers: [7, 8, 9] },
  );
  assert.match(out, /\[7\] Approve {2}\[8\] Reject/);
  assert.match(out, /\[9\] Logs/);
  const fallback = renderText(msg([{ type: 'actions', buttons: [{ actionId: 'a', label: 'A', value: '' }] }]), { color: false });
  assert.match(fallback, /\[1\] A/);
});

test('no ANSI codes when color is false, ANSI when true', () => {
  const m = msg(
    [
      { type: 'header', text: 'Rollout plan' },
      { type: 'fields', fields: [{ label: 'env', value: 'prod' }] },
      { type: 'table', columns: ['a'], rows: [['1']] },
      { type: 'context', text: 'plan abc123' },
      { type: 'divider' },
      { type: 'actions', buttons: [{ actionId: 'go', label: 'Go', value: '', style: 'danger' }] },
    ],
    { severity: 'warn' },
  );
  assert.doesNotMatch(renderText(m, { color: false }), ANSI);
  assert.match(renderText(m, { color: true }), ANSI);
});

test('severity markers, and ASCII ones when asked', () => {
  const header = (severity: Message['severity']) => msg([{ type: 'header', text: 'H' }], { severity });
  assert.equal(renderText(header('ok'), { color: false }).split('\n')[0], '✔ H');
  assert.equal(renderText(header('warn'), { color: false }).split('\n')[0], '▲ H');
  assert.equal(renderText(header('error'), { color: false }).split('\n')[0], '✖ H');
  assert.equal(renderText(header('info'), { color: false }).split('\n')[0], '• H');
  assert.equal(renderText(header(undefined), { color: false }), 'H');
  assert.equal(renderText(header('error'), { color: false, ascii: true }), '[error] H');
});

test('fields, code, divider and the plain-text fallback', () => {
  const out = renderText(
    msg([
      { type: 'fields', fields: [{ label: 'env', value: 'prod' }, { label: 'version', value: 'v1.14.0' }] },
      { type: 'code', text: 'TASK [restart]\nok: [eth-1]\n' },
      { type: 'divider' },
    ]),
    { color: false, width: 30 },
  );
  assert.deepEqual(out.split('\n'), ['env:     prod', 'version: v1.14.0', '    TASK [restart]', '    ok: [eth-1]', '─'.repeat(30)]);
  assert.equal(renderText({ text: 'just text', blocks: [], severity: 'ok' }, { color: false }), '✔ just text');
});

test('escape sequences inside message text are removed', () => {
  const out = renderText(msg([{ type: 'code', text: 'evil \x1b[2J\x1b]0;title\x07done' }]), { color: false });
  assert.equal(out, '    evil done');
});

test('a wide terminal shows long cells whole; a narrow one still fits the table', () => {
  const version = 'ganache/v7.9.2-EthereumJS TestRPC/v7.9.2/ethereum-js (linux x64, node v20.19.5)';
  const msg: Message = { text: 't', blocks: [{ type: 'table', columns: ['node', 'client'], rows: [['eth-1', version]] }] };
  const wide = renderText(msg, { color: false, width: 200 });
  assert.ok(wide.includes(version), 'nothing cut at 200 columns');
  const narrow = renderText(msg, { color: false, width: 60 }).split('\n');
  assert.ok(narrow.every((l) => visibleWidth(l) <= 60), narrow.join('\n'));
  assert.ok(narrow[2]!.includes('…'));
});

test('the neutral **bold** is bold in a terminal, never literal asterisks', () => {
  const msg: Message = { text: 't', blocks: [{ type: 'text', text: '**prod/eth-devnet** — 3 nodes' }, { type: 'context', text: 'see **this**' }] };
  const plain = renderText(msg, { color: false, width: 80 });
  assert.equal(plain, 'prod/eth-devnet — 3 nodes\nsee this');
  const colored = renderText(msg, { color: true, width: 80 });
  assert.ok(colored.includes('\x1b[1mprod/eth-devnet\x1b[22m'), JSON.stringify(colored));
});
