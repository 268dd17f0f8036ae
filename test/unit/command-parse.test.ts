import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseCommand, stripPrefix } from '../../src/command/parse.ts';
import type { ParseResult } from '../../src/command/command.types.ts';
import { GRAMMAR, VERBS, specOf, usageOf } from '../../src/command/grammar.ts';

function ok(text: string) {
  const r = parseCommand(text);
  assert.ok(r.ok, `expected ${JSON.stringify(text)} to parse, got: ${r.ok ? '' : r.message}`);
  return r.command;
}

function refused(text: string): Extract<ParseResult, { ok: false }> {
  const r = parseCommand(text);
  assert.ok(!r.ok, `expected ${JSON.stringify(text)} to be refused, got ${r.ok ? JSON.stringify(r.command) : ''}`);
  assert.ok(r.message.length > 0);
  return r;
}

describe('parseCommand: verbs and arguments', () => {
  const cases: Array<[string, string, Record<string, unknown>, string]> = [
    ['help', 'help', {}, '/chainops help'],
    ['help upgrade', 'help', { verb: 'upgrade' }, '/chainops help upgrade'],
    ['status', 'status', {}, '/chainops status'],
    ['status --env prod', 'status', { env: 'prod' }, '/chainops status --env prod'],
    ['nodes eth-devnet --env=prod', 'nodes', { group: 'eth-devnet', env: 'prod' }, '/chainops nodes eth-devnet --env prod'],
    ['health eth-1', 'health', { target: 'eth-1' }, '/chainops health eth-1'],
    ['upgrade eth-devnet 7.10.0 --env prod', 'upgrade', { target: 'eth-devnet', version: '7.10.0', env: 'prod' }, '/chainops upgrade eth-devnet 7.10.0 --env prod'],
    ['upgrade eth-1 v1.14.3-rc.1 --waves 1,25%,100% --dry-run', 'upgrade', { target: 'eth-1', version: 'v1.14.3-rc.1', waves: '1,25%,100%', 'dry-run': true }, '/chainops upgrade eth-1 v1.14.3-rc.1 --waves 1,25%,100% --dry-run'],
    ['upgrade eth-1 1.2.3 --dry-run=false', 'upgrade', { target: 'eth-1', version: '1.2.3', 'dry-run': false }, '/chainops upgrade eth-1 1.2.3'],
    ['provision ltc-regtest --count 3 --env dev', 'provision', { group: 'ltc-regtest', count: 3, env: 'dev' }, '/chainops provision ltc-regtest --env dev --count 3'],
    ['decommission eth-3', 'decommission', { node: 'eth-3' }, '/chainops decommission eth-3'],
    ['drift', 'drift', {}, '/chainops drift'],
    ['rollout STATUS', 'rollout', { action: 'status' }, '/chainops rollout status'],
    ['rollout abort up-1a2b3c', 'rollout', { action: 'abort', id: 'up-1a2b3c' }, '/chainops rollout abort up-1a2b3c'],
    ['approve ap-7k2m', 'approve', { id: 'ap-7k2m' }, '/chainops approve ap-7k2m'],
    ['reject ap-7k2m --reason "two words"', 'reject', { id: 'ap-7k2m', reason: 'two words' }, '/chainops reject ap-7k2m --reason "two words"'],
    ['lock prod eth-devnet --for 90m --reason maintenance', 'lock', { env: 'prod', group: 'eth-devnet', for: 5_400_000, reason: 'maintenance' }, '/chainops lock prod eth-devnet --reason maintenance --for 90m'],
    ['unlock prod eth-devnet', 'unlock', { env: 'prod', group: 'eth-devnet' }, '/chainops unlock prod eth-devnet'],
    ["freeze prod --reason 'release week'", 'freeze', { env: 'prod', reason: 'release week' }, '/chainops freeze prod --reason "release week"'],
    ['unfreeze prod', 'unfreeze', { env: 'prod' }, '/chainops unfreeze prod'],
    ['jobs --limit 5', 'jobs', { limit: 5 }, '/chainops jobs --limit 5'],
    ['job up-4f2a9c log', 'job', { id: 'up-4f2a9c', log: 'log' }, '/chainops job up-4f2a9c log'],
    ['cancel up-4f2a9c', 'cancel', { id: 'up-4f2a9c' }, '/chainops cancel up-4f2a9c'],
    ['audit', 'audit', {}, '/chainops audit'],
    ['alerts --env prod', 'alerts', { env: 'prod' }, '/chainops alerts --env prod'],
    ['ack al-abcd', 'ack', { id: 'al-abcd' }, '/chainops ack al-abcd'],
    ['silence eth-1 2h --reason noisy', 'silence', { target: 'eth-1', duration: 7_200_000, reason: 'noisy' }, '/chainops silence eth-1 2h --reason noisy'],
    ['silence al-abcd1234 1h --kind alert', 'silence', { target: 'al-abcd1234', duration: 3_600_000, kind: 'alert' }, '/chainops silence al-abcd1234 1h --kind alert'],
    ['run restart eth-1 --alert al-abcd1234', 'run', { action: 'restart', node: 'eth-1', alert: 'al-abcd1234' }, '/chainops run restart eth-1 --alert al-abcd1234'],
    ['chart eth-1 peers --since 2h', 'chart', { target: 'eth-1', kpi: 'peers', since: 7_200_000 }, '/chainops chart eth-1 peers --since 2h'],
    ['plan', 'plan', {}, '/chainops plan'],
    ['promotion start eth 1.14.4', 'promotion', { action: 'start', group: 'eth', version: '1.14.4' }, '/chainops promotion start eth 1.14.4'],
    ['releases', 'releases', {}, '/chainops releases'],
    ['releases eth-devnet', 'releases', { action: 'list', group: 'eth-devnet' }, '/chainops releases list eth-devnet'],
    ['releases IGNORE eth-devnet v7.9.2', 'releases', { action: 'ignore', group: 'eth-devnet', version: 'v7.9.2' }, '/chainops releases ignore eth-devnet v7.9.2'],
    ['plan prod', 'plan', { env: 'prod' }, '/chainops plan prod'],
    ['sync', 'sync', {}, '/chainops sync'],
    ['sync APPLY 0123456789ab', 'sync', { action: 'apply', rev: '0123456789ab' }, '/chainops sync apply 0123456789ab'],
    ['  UPGRADE   eth-1\t1.0.0  ', 'upgrade', { target: 'eth-1', version: '1.0.0' }, '/chainops upgrade eth-1 1.0.0'],
  ];
  for (const [text, verb, values, canonical] of cases) {
    it(`${JSON.stringify(text)} → ${canonical}`, () => {
      const c = ok(text);
      assert.equal(c.verb, verb);
      assert.deepEqual(c.values, values);
      assert.equal(c.canonical, canonical);
      // The canonical text parses back to the same command (a `false` flag is simply left out).
      const again = ok(c.canonical);
      assert.equal(again.canonical, c.canonical);
      assert.deepEqual(again.values, Object.fromEntries(Object.entries(c.values).filter(([, v]) => v !== false)));
    });
  }

  it('covers every verb of the grammar', () => {
    const seen = new Set(cases.map(([, verb]) => verb));
    assert.deepEqual([...VERBS].filter((v) => !seen.has(v)), []);
  });

  it('an empty line is help', () => {
    assert.equal(ok('').verb, 'help');
    assert.equal(ok('   ').verb, 'help');
    assert.equal(ok('/chainops').verb, 'help');
  });

  it('canonical text keeps quotes, backslashes and flag-like values as given', () => {
    for (const [text, reason] of [
      ['reject ap-1234 --reason \'say "hi"\'', 'say "hi"'],
      ['reject ap-1234 --reason "it\'s fine"', "it's fine"],
      ['reject ap-1234 --reason "C:\\temp dir"', 'C:\\temp dir'],
      ['reject ap-1234 --reason a\\b', 'a\\b'],
      ['reject ap-1234 --reason=--x', '--x'],
      ['reject ap-1234 --reason ""', ''],
    ] as const) {
      const c = ok(text);
      assert.equal(c.values['reason'], reason, text);
      const again = ok(c.canonical);
      assert.equal(again.values['reason'], reason, `${text} → ${c.canonical}`);
      assert.equal(again.canonical, c.canonical);
    }
  });

  it('durations: 90m → 5 400 000 ms, and limits', () => {
    assert.equal(ok('silence eth-1 90m').values['duration'], 5_400_000);
    assert.equal(ok('silence eth-1 30s').values['duration'], 30_000);
    assert.equal(ok('silence eth-1 1d').values['duration'], 86_400_000);
    assert.equal(ok('lock prod eth --for 90m').values['for'], 5_400_000);
    assert.equal(ok('lock prod eth --for 90m').canonical, '/chainops lock prod eth --for 90m');
    assert.equal(ok('lock prod eth --for 120m').canonical, '/chainops lock prod eth --for 2h');
    refused('silence eth-1 0m');
    refused('silence eth-1 31d');
    refused('silence eth-1 90');
    refused('silence eth-1 1.5h');
    refused('silence eth-1 -5m');
    refused('silence eth-1 90ms');
  });

  it('counts must be 1..1000', () => {
    assert.equal(ok('jobs --limit 1000').values['limit'], 1000);
    refused('jobs --limit 0');
    refused('jobs --limit 1001');
    refused('jobs --limit -1');
    refused('jobs --limit 2e3');
    refused('jobs --limit 0x10');
  });
});

describe('parseCommand: refusals that help', () => {
  it('unknown verb → did you mean + usage line of the suggestion', () => {
    const r = refused('upgarde eth-devnet 7.10.0');
    assert.equal(r.suggestion, 'upgrade');
    assert.match(r.message, /did you mean `upgrade`\?/);
    assert.ok(r.message.includes(usageOf(specOf('upgrade'))), r.message);
    assert.ok(r.message.includes('/chainops upgrade <target> <version> [--env <env>] [--waves <waves>] [--dry-run]'));
    assert.equal(refused('stauts').suggestion, 'status');
    assert.equal(refused('aprove ap-1234').suggestion, 'approve');
    assert.equal(refused('rollback').suggestion, 'rollout rollback', 'a rollout action alone points at the rollout command');
  });

  it('an unknown verb with nothing close points at help', () => {
    const r = refused('xyzzy');
    assert.equal(r.suggestion, undefined);
    assert.match(r.message, /not a ChainOps command/);
    assert.match(r.message, /\/chainops help/);
  });

  it('a bad flag → the closest flag and the usage', () => {
    const r = refused('upgrade eth-devnet 7.10.0 --evn prod');
    assert.equal(r.suggestion, 'env');
    assert.equal(r.verb, 'upgrade');
    assert.match(r.message, /`--evn` is not an option of `upgrade` — did you mean `--env`\?/);
    assert.ok(r.message.includes(`Usage: \`${usageOf(specOf('upgrade'))}\``));
    assert.equal(refused('upgrade eth-1 1.0.0 --dryrun').suggestion, 'dry-run');
    const far = refused('status --frobnicate');
    assert.equal(far.suggestion, undefined);
    assert.match(far.message, /not an option of `status`/);
  });

  it('a flag without its value, or given twice', () => {
    assert.match(refused('status --env').message, /`--env` needs a value/);
    assert.match(refused('upgrade eth-1 1.0.0 --env --dry-run').message, /`--env` needs a value/);
    assert.match(refused('status --env prod --env dev').message, /given twice/);
  });

  it('missing required argument names it', () => {
    const r = refused('upgrade eth-devnet');
    assert.equal(r.verb, 'upgrade');
    assert.match(r.message, /`upgrade` needs <version>/);
    assert.equal(r.usage, usageOf(specOf('upgrade')));
    assert.match(refused('approve').message, /`approve` needs <id>/);
    assert.match(refused('lock prod').message, /`lock` needs <group>/);
  });

  it('too many arguments', () => {
    assert.match(refused('status forks everything').message, /too many arguments for `status` \(`everything`\)/);
    assert.match(refused('upgrade eth-1 1.0.0 now please').message, /too many arguments for `upgrade` \(`now please`\)/);
  });

  it('a bad choice suggests the closest one', () => {
    const r = refused('rollout abrot');
    assert.equal(r.suggestion, 'abort');
    assert.match(r.message, /did you mean `abort`/);
  });

  it('an unclosed quote is refused', () => {
    assert.match(refused('reject ap-1234 --reason "oops').message, /quote is not closed/);
  });

  it('very long lines are refused before tokenising', () => {
    assert.match(refused(`status ${'x'.repeat(5000)}`).message, /characters long/);
  });

  it('echoed input has no backticks or control characters', () => {
    const r = refused('upgrade `rm\u0007` 1.0.0');
    assert.ok(!r.message.includes('`rm'), r.message);
    assert.ok(!/[\u0000-\u001f]/.test(r.message));
  });
});

describe('parseCommand: shell metacharacters never pass', () => {
  const payloads = [
    'eth-1;rm -rf /', 'eth-1;ls', 'eth-1|nc', 'eth-1&', 'eth-1&&id', '$(id)', 'eth-$(id)', '`id`', 'eth-`id`',
    'eth"1', "eth'1", 'eth 1', 'eth-1\nrm', 'eth-1\r', '../etc', '../../passwd', 'eth/1', 'eth>x', 'eth<x',
    'eth*', '-rf', '--help', 'eth\\1', '${HOME}', 'eth-1 ', ' eth-1', 'ETH-1', 'eth_1', 'eth-1\u0000',
  ];
  const versions = ['1.0.0;id', '1.0.0|id', '1.0.0&', '$(id)', '`id`', '1.0 .0', '1.0.0\nid', '../1.0.0', '1.0.0"', "1.0.0'", '1.0.0-rc/1'];
  const envs = ['prod;id', 'prod|id', 'prod&', '$(id)', '`id`', 'pro d', 'prod\nid', '../prod', 'prod"', 'Prod', '-prod'];
  const ids = ['ap-1234;id', 'ap-1234|id', 'ap-1234&', '$(id)', '`id`', 'ap-12 34', 'ap-1234\nid', '../ap-1234', 'ap-1234"', 'AP-1234', 'ap-12'];

  /** Quote the payload so the whole of it reaches the value check (the harder case for the parser). */
  const q = (s: string) => (s.includes("'") ? `"${s}"` : `'${s}'`);

  const slots: Array<[kind: string, template: (v: string) => string, values: string[]]> = [
    ['node', (v) => `decommission ${v}`, payloads],
    ['group', (v) => `provision ${v} --env prod`, payloads],
    ['group (nodes)', (v) => `nodes ${v}`, payloads],
    ['group (lock)', (v) => `lock prod ${v}`, payloads],
    ['target', (v) => `upgrade ${v} 1.0.0`, payloads],
    ['target (silence)', (v) => `silence ${v} 1h`, payloads],
    ['version', (v) => `upgrade eth-1 ${v}`, [...versions, ...payloads.filter((p) => !/^eth-1$/.test(p))]],
    ['env (flag)', (v) => `upgrade eth-1 1.0.0 --env ${v}`, envs],
    ['env (flag=)', (v) => `status --env=${v}`, envs],
    ['env (arg)', (v) => `freeze ${v}`, envs],
    ['id (approve)', (v) => `approve ${v}`, ids],
    ['id (job)', (v) => `job ${v}`, ids],
    ['id (cancel)', (v) => `cancel ${v}`, ids],
    ['id (rollout)', (v) => `rollout status ${v}`, ids],
  ];

  for (const [kind, template, values] of slots) {
    it(`${kind}: every metacharacter payload is refused`, () => {
      for (const v of values) {
        if (v.includes("'") && v.includes('"')) continue;
        const r = parseCommand(template(q(v)));
        assert.ok(!r.ok, `${kind} accepted ${JSON.stringify(v)}: ${r.ok ? r.command.canonical : ''}`);
        assert.ok(r.message.length > 0);
      }
    });
  }

  it('unquoted payloads either fail or split into words that each pass the patterns', () => {
    for (const v of payloads) {
      const r = parseCommand(`decommission ${v}`);
      if (r.ok) assert.match(String(r.command.values['node']), /^[a-z0-9-]+$/);
    }
    // Quotes glue pieces into one word, like a shell, but the word itself is still checked.
    assert.deepEqual(ok('decommission "eth"-1').values, { node: 'eth-1' });
    refused('decommission eth-1;ls');
    refused('decommission $(id)');
    refused('upgrade eth-1 1.0.0;reboot');
    refused('upgrade eth-1 `id`');
    refused('approve ap-1234&&id');
  });

  it('every node/group/target/env/version/id argument of every verb refuses them', () => {
    for (const spec of GRAMMAR) {
      for (const a of spec.args) {
        if (!['node', 'group', 'target', 'env', 'version', 'id'].includes(a.kind)) continue;
        for (const v of ['x;y', 'x|y', 'x&y', '$(x)', '`x`', 'x y', 'x\ny', '../x', '"x"', "'x'"]) {
          const line = spec.args.map((b) => (b === a ? q(v) : sample(b.kind))).join(' ');
          const r = parseCommand(`${spec.verb} ${line}`);
          assert.ok(!r.ok, `${spec.verb} <${a.name}> accepted ${JSON.stringify(v)} as ${r.ok ? r.command.canonical : ''}`);
        }
      }
    }
  });
});

function sample(kind: string): string {
  return ({ node: 'eth-1', group: 'eth', target: 'eth', env: 'prod', version: '1.0.0', id: 'up-abcd', choice: 'status', text: 'x', duration: '1h', count: '1', waves: '1', bool: 'true' } as Record<string, string>)[kind] ?? 'x';
}

describe('stripPrefix', () => {
  const prefixes = ['/chainops', '!chainops', '/ChainOps', 'chainops', '@chainops', '<@U123>', '<@U123|chainops>', '<@!123>', '<@123>', '<@U123> /chainops'];
  for (const p of prefixes) {
    it(`${p} is stripped`, () => {
      assert.equal(stripPrefix(`${p} status --env prod`), 'status --env prod');
      const c = ok(`${p} upgrade eth-devnet 7.10.0 --env prod`);
      assert.equal(c.canonical, '/chainops upgrade eth-devnet 7.10.0 --env prod');
    });
  }

  it('only a leading prefix is stripped, and only whole words', () => {
    assert.equal(stripPrefix('status /chainops'), 'status /chainops');
    assert.equal(stripPrefix('/chainopsstatus'), '/chainopsstatus');
    assert.ok(!parseCommand('/chainopsstatus').ok);
    assert.ok(!parseCommand('<@U123>status').ok);
  });
});
