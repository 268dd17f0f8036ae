import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GRAMMAR, VERBS } from '../../src/command/grammar.ts';
import { parseCommand } from '../../src/command/parse.ts';
import { buildChainopsCommand, type CommandOption } from '../../adapters/discord/discord-command.builder.ts';
import { commandTextOf, focusedOf } from '../../adapters/discord/discord-command-text.ts';
import { decodeCustomId, encodeCustomId } from '../../adapters/discord/discord-custom-id.ts';
import type { InteractionOption } from '../../adapters/discord/discord-interaction.schema.ts';
import { WebhookTokens } from '../../adapters/discord/discord-webhook-tokens.ts';

const NAME_RE = /^[-_a-z0-9]{1,32}$/;

test('/chainops has one subcommand per verb (past 24 in the `more` group), within Discord limits', () => {
  const cmd = buildChainopsCommand();
  assert.equal(cmd.name, 'chainops');
  assert.ok(cmd.description.length >= 1 && cmd.description.length <= 100);
  assert.ok(cmd.options.length <= 25);
  const more = cmd.options.find((o) => o.type === 2);
  assert.equal(more?.name, 'more');
  const subs = cmd.options.flatMap((o) => (o.type === 2 ? o.options ?? [] : [o]));
  assert.deepEqual(subs.map((o) => o.name), [...VERBS]);
  for (const sub of subs) {
    assert.equal(sub.type, 1);
    assert.match(sub.name, NAME_RE);
    assert.ok(sub.description.length >= 1 && sub.description.length <= 100);
    const opts = sub.options ?? [];
    assert.ok(opts.length <= 25);
    let seenOptional = false;
    for (const o of opts) {
      assert.match(o.name, NAME_RE);
      assert.ok(o.description.length >= 1 && o.description.length <= 100, `${sub.name}.${o.name}`);
      if (!o.required) seenOptional = true;
      else assert.ok(!seenOptional, `${sub.name}: required option ${o.name} after an optional one`);
    }
  }
});

test('option types follow the grammar kinds', () => {
  const cmd = buildChainopsCommand();
  const opt = (sub: string, name: string): CommandOption => cmd.options.find((o) => o.name === sub)!.options!.find((o) => o.name === name)!;
  assert.deepEqual(opt('provision', 'count'), { name: 'count', description: 'how many nodes (default 1)', required: false, type: 4, min_value: 1, max_value: 1000 });
  assert.equal(opt('upgrade', 'dry-run').type, 5);
  const rolloutActions = GRAMMAR.find((v) => v.verb === 'rollout')!.args.find((a) => a.name === 'action')!.choices!;
  assert.deepEqual(opt('rollout', 'action').choices?.map((c) => c.value), [...rolloutActions]);
  assert.ok(rolloutActions.includes('rollback'));
  for (const [sub, name] of [['upgrade', 'target'], ['upgrade', 'version'], ['upgrade', 'env'], ['nodes', 'group'], ['decommission', 'node']] as const) {
    assert.equal(opt(sub, name).type, 3);
    assert.equal(opt(sub, name).autocomplete, true, `${sub}.${name} autocompletes`);
  }
  assert.equal(opt('reject', 'reason').autocomplete, undefined);
  assert.equal(opt('upgrade', 'target').required, true);
});

test('every grammar verb survives options → text → the core parser', () => {
  const opts = (sub: string, o: Array<[string, number, string | number | boolean]>) => [{ type: 1, name: sub, options: o.map(([name, type, value]) => ({ name, type, value })) }];
  const cases: Array<[InteractionOption[], string]> = [
    [opts('upgrade', [['version', 3, '1.14.3'], ['target', 3, 'eth-main'], ['env', 3, 'prod'], ['waves', 3, '1,25%,100%'], ['dry-run', 5, true]]), '/chainops upgrade eth-main 1.14.3 --env prod --waves 1,25%,100% --dry-run'],
    [opts('provision', [['group', 3, 'btc'], ['count', 4, 3]]), '/chainops provision btc --count 3'],
    [opts('reject', [['id', 3, 'ap-7k2m'], ['reason', 3, `wrong "wave" plan, it's late`]]), `/chainops reject ap-7k2m --reason "wrong 'wave' plan, it's late"`],
    [opts('freeze', [['env', 3, 'prod'], ['reason', 3, '--incident 42']]), '/chainops freeze prod --reason="--incident 42"'],
    [opts('upgrade', [['target', 3, 'eth-main'], ['version', 3, '1.14.3'], ['dry-run', 5, false]]), '/chainops upgrade eth-main 1.14.3'],
    [opts('status', []), '/chainops status'],
    [[{ type: 2, name: 'more', options: opts('chart', [['kpi', 3, 'peers'], ['target', 3, 'eth-1'], ['since', 3, '2h']]) }], '/chainops chart eth-1 peers --since 2h'],
  ];
  for (const [options, expected] of cases) {
    const text = commandTextOf(options);
    assert.equal(text, expected);
    const parsed = parseCommand(text);
    assert.ok(parsed.ok, `${text}: ${parsed.ok ? '' : parsed.message}`);
  }
  const parsed = parseCommand(commandTextOf(cases[2]![0]));
  assert.ok(parsed.ok && parsed.command.values.reason === `wrong 'wave' plan, it's late`);
  const freeze = parseCommand(commandTextOf(cases[3]![0]));
  assert.ok(freeze.ok && freeze.command.values.reason === '--incident 42');
  // Discord allows 25 subcommands: verbs past the 24th go in one overflow group of 25 more.
  assert.ok(GRAMMAR.length <= 49, `${GRAMMAR.length} verbs`);
});

test('the focused option maps back to its grammar kind', () => {
  const options = [{ type: 1, name: 'upgrade', options: [{ type: 3, name: 'target', value: 'eth-main' }, { type: 3, name: 'version', value: '1.1', focused: true }] }];
  assert.deepEqual(focusedOf(options), { kind: 'version', prefix: '1.1' });
  assert.equal(focusedOf([{ type: 1, name: 'status', options: [] }]), undefined);
});

test('custom ids carry action and value; ones over 100 chars are refused', () => {
  assert.equal(encodeCustomId('approve', 'ap-7k2m:plan'), 'approve:ap-7k2m:plan');
  assert.deepEqual(decodeCustomId('approve:ap-7k2m:plan'), { actionId: 'approve', value: 'ap-7k2m:plan' });
  assert.equal(encodeCustomId('a', 'x'.repeat(99)), undefined);
});

test('interaction tokens are used for 14 minutes, then edits fall back to the bot token', () => {
  let now = 1_000_000;
  const tokens = new WebhookTokens(() => now);
  tokens.remember('m1', 'tok', now);
  assert.equal(tokens.tokenFor('m1'), 'tok');
  now += 14 * 60_000 - 1;
  assert.equal(tokens.tokenFor('m1'), 'tok');
  now += 2;
  assert.equal(tokens.tokenFor('m1'), undefined);
});
