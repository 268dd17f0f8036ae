import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commandText } from '../../adapters/telegram/telegram-events.ts';
import { escapeHtml, renderHtml, TEXT_LIMIT } from '../../adapters/telegram/telegram-html.ts';
import { parseText } from '../stand-ins/telegram.stand-in.ts';

describe('Telegram commands', () => {
  it('reads /chainops, /chainops@ThisBot, short forms and /start; ignores other bots and unknown commands', () => {
    assert.equal(commandText('/chainops status --env prod', 'ChainOpsBot'), 'status --env prod');
    assert.equal(commandText('/chainops@ChainOpsBot nodes eth', 'ChainOpsBot'), 'nodes eth');
    assert.equal(commandText('/chainops@chainopsbot', 'ChainOpsBot'), 'help');
    assert.equal(commandText('/status', 'ChainOpsBot'), 'status');
    assert.equal(commandText('/ack@ChainOpsBot al-12345678', 'ChainOpsBot'), 'ack al-12345678');
    assert.equal(commandText('/start', 'ChainOpsBot'), 'help');
    assert.equal(commandText('/status@OtherBot', 'ChainOpsBot'), undefined);
    assert.equal(commandText('/weather', 'ChainOpsBot'), undefined);
    assert.equal(commandText('status', 'ChainOpsBot'), undefined, 'plain text is conversation, not a command');
  });
});

describe('Telegram HTML rendering', () => {
  it('escapes &, < and > everywhere and turns `code` into <code>, which Telegram parses', () => {
    assert.equal(escapeHtml('a<b>&c'), 'a&lt;b&gt;&amp;c');
    const html = renderHtml({ text: 'x', blocks: [
      { type: 'header', text: 'Alert <script>' },
      { type: 'text', text: 'run `upgrade <group>` & wait' },
      { type: 'fields', fields: [{ label: 'a&b', value: '<1>' }] },
      { type: 'table', columns: ['n', 'v'], rows: [['<x>', '&']] },
      { type: 'context', text: 'done' },
      { type: 'actions', buttons: [{ actionId: 'a', label: 'A', value: 'v' }] },
    ] });
    const parsed = parseText(html, 'HTML');
    assert.equal(typeof parsed, 'string', JSON.stringify(parsed));
    assert.match(parsed as string, /Alert <script>/);
    assert.match(html, /<code>upgrade &lt;group&gt;<\/code> &amp; wait/);
  });

  it('stays within 4096 visible characters, keeping the tail of a long log and valid tags', () => {
    const html = renderHtml({ text: 'x', blocks: [{ type: 'header', text: 'Job' }, { type: 'code', text: `${'line <&>\n'.repeat(2000)}LAST LINE` }, { type: 'text', text: 'after' }] });
    const parsed = parseText(html, 'HTML');
    assert.equal(typeof parsed, 'string', JSON.stringify(parsed));
    assert.ok((parsed as string).length <= TEXT_LIMIT, String((parsed as string).length));
    assert.match(parsed as string, /LAST LINE/);
    assert.match(parsed as string, /trimmed to fit Telegram/);
  });
});
