// Injection (issue #8, chaos item 7): shell metacharacters, path traversal and option-looking values
// in every name-like slot of every command (node, group, target, env, version, id, waves, count,
// duration), typed, sent through the Slack upgrade form or as Discord options. Each must be refused
// by the parser, by the job-data schemas the workers parse first, and by the pipeline as a whole —
// with nothing queued and no process started (child_process is spied on while the pipeline runs).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import childProcess from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';
import { readUpgradeSubmission } from '../../adapters/slack/upgrade-modal.view.ts';
import { viewSubmissionSchema } from '../../adapters/slack/slack-payloads.schema.ts';
import { commandTextOf } from '../../adapters/discord/discord-command-text.ts';
import { OptionType, optionName } from '../../adapters/discord/discord-command.builder.ts';
import { parseJobData } from '../../jobs/parse-job-data.ts';
import type { Actor } from '../../src/chat/chat-event.ts';
import { parseCommand } from '../../src/command/parse.ts';
import { fleetSchema, type Fleet } from '../../src/fleet/fleet.schema.ts';
import { driftJob, healthJob, provisionJob, upgradeJob } from '../../src/jobs/job-data.schema.ts';
import { upgradeSubmission } from '../stand-ins/slack-payloads.ts';
import { commandForms, lineWith, slotsOf, type Place } from '../chaos/lib/grammar-forms.ts';
import { memoryCore } from '../chaos/lib/memory-core.ts';

/** Values a person (or an attacker) could put where a name, version or id belongs. */
export const INJECTIONS = [
  // option-looking values: read as flags by ansible-playbook, terraform, ssh, git …
  '--', '-', '-e', '-e id', '-eid', '--help', '--extra-vars=@/etc/passwd', '-oProxyCommand=id', '-i', '--become', '-rf', '--env=prod',
  // shell metacharacters and substitutions
  '$(id)', '`id`', '${IFS}id', '$HOME', 'eth-1;id', 'eth-1; rm -rf /', 'eth-1&&id', 'eth-1 && id', 'eth-1|id', 'eth-1||id', 'eth-1&',
  'eth-1>x', 'eth-1<x', 'eth-1*', 'eth-?', 'eth-[1]', '{eth-1,eth-2}', '~root', "eth-1'", 'eth-1"', 'eth-1\\', '!!', '#',
  // newlines and control characters
  'eth-1\nid', 'eth-1\r\nid', 'a\tb', 'eth-1\u0000', 'eth-1\u001b[2J', 'eth-1\u007f', 'eth-1\u2028id', 'eth-1\u202e',
  // path traversal and paths
  '..', '.', '../etc/passwd', '../../x', '..\\x', '/etc/passwd', './eth-1', 'eth-1/../x', '%2e%2e%2f', '..%2f', 'eth-1/x', '\\\\host\\share',
  // versions and ids with a payload attached
  '1.0.0;id', '1.0.0 --check', 'v1.0.0$(id)', '1.0.0`id`', '-1.0.0', '1.0.0/../../x', '1.0.0\nid', '1.0.0|id', '1.0.0 -e x=1',
  'up-abcd;id', 'ap-abcd$(id)', 'up-../x', '1,25%;id', '1,$(id)', '1h;id', '1h$(id)',
  // look-alikes that must not pass as names (a different name to a person than to a shell or a file system)
  'ETH-1', 'éth-1', 'eth\u00a0-1', 'eth‐1', 'eth-1\u200b', 'a'.repeat(64), '-eth-1',
] as const;

/** Kinds that reach job data, inventories, playbooks or Terraform variables. Free text (`reason`) never does. */
const NAME_KINDS = new Set(['node', 'group', 'target', 'env', 'version', 'id', 'waves', 'count', 'duration', 'choice']);

const FLEET: Fleet = fleetSchema.parse({
  version: 1,
  name: 'injection',
  environments: { dev: { approval: { required: 0 } } },
  groups: { 'ltc-regtest': { chain: 'litecoin', network: 'regtest', client: 'litecoind', desired_version: '0.21.2.1', rpc: { kind: 'bitcoin' } } },
  nodes: [{ name: 'eth-1', group: 'ltc-regtest', env: 'dev', rpc_url: 'http://127.0.0.1:1/' }],
  roles: { admin: { console: ['alice'], slack: ['T0STANDIN/U0ALICE'], discord_users: ['100004'] } },
});
const PLACE: Place = { env: 'dev', group: 'ltc-regtest', node: 'eth-1' };
const ALICE: Actor = { platform: 'console', id: 'alice', roleIds: [] };

/** Every (form, slot, value, line) to try: each name-like slot of each command form × each injection. */
function cases() {
  const out: Array<{ form: string; slot: string; kind: string; value: string; line: string }> = [];
  for (const form of commandForms()) {
    for (const slot of slotsOf(form.spec)) {
      if (!NAME_KINDS.has(slot.kind)) continue;
      for (const value of INJECTIONS) out.push({ form: form.name, slot: slot.name, kind: slot.kind, value, line: lineWith(form, PLACE, slot.name, value) });
    }
  }
  return out;
}

const show = (s: string) => JSON.stringify(s.length > 80 ? `${s.slice(0, 80)}…` : s);

describe('injection: refused by the parser', () => {
  const all = cases();

  it(`covers every name-like slot of the grammar (${all.length} lines)`, () => {
    const slots = new Set(all.map((c) => `${c.form} <${c.slot}>`));
    assert.ok(slots.size >= 30, `only ${slots.size} slots`);
    for (const kind of ['node', 'group', 'target', 'env', 'version', 'id', 'waves', 'count', 'duration']) {
      assert.ok(all.some((c) => c.kind === kind), `no slot of kind ${kind}`);
    }
  });

  it('every injected value in a name-like slot is refused, with a message (or never lands in any slot)', (t) => {
    const reread: string[] = [];
    for (const c of all) {
      const r = parseCommand(c.line);
      if (!r.ok) {
        assert.ok(r.message.trim().length > 0);
        continue;
      }
      // `"--env=prod"` given where a group belongs is read as the flag --env prod: the value is
      // then checked as an environment, and the injected text itself is in no slot.
      assert.ok(/^--[a-z-]+=/.test(c.value), `${c.form} <${c.slot}> = ${show(c.value)} was accepted: ${r.command.canonical}`);
      assert.ok(!Object.values(r.command.values).includes(c.value), `${show(c.value)} landed in a slot: ${r.command.canonical}`);
      reread.push(`${c.line} → ${r.command.canonical}`);
    }
    if (reread.length) t.diagnostic(`${reread.length} quoted --flag=value words were read as flags, e.g. ${reread[0]}`);
  });

  it('the refusal never echoes a control character or backtick back into chat', () => {
    for (const c of all) {
      const r = parseCommand(c.line);
      // eslint-disable-next-line no-control-regex
      if (!r.ok) assert.doesNotMatch(r.message.replace(/`[^`\n]*`/g, ''), /[\u0000-\u0008\u000b-\u001f\u007f]/, `${show(c.line)} → ${show(r.message)}`);
    }
  });

  it('a trailing injected word or flag cannot ride along a valid command', () => {
    const tails = ['; id', '&& id', '| id', '$(id)', '`id`', '-e id', '--extra-vars x=1', '--env prod; id', '\nid', '-- --become'];
    for (const tail of tails) {
      for (const base of ['upgrade ltc-regtest 0.21.3 --env dev', 'provision ltc-regtest --env dev', 'decommission eth-1', 'lock dev ltc-regtest']) {
        const r = parseCommand(`${base} ${tail}`);
        assert.equal(r.ok, false, `${show(`${base} ${tail}`)} was accepted as ${r.ok ? r.command.canonical : ''}`);
      }
    }
  });
});

describe('injection: refused by the job-data schemas (what every processor parses first)', () => {
  const report = { key: 'job:up-abcd1234', conversation: { platform: 'console' as const, channelId: 'console' } };
  const upgrade = { v: 1, rolloutId: 'up-abcd1234', env: 'dev', group: 'ltc-regtest', version: '0.21.3', targets: ['eth-1'], waves: [['eth-1']], planHash: 'a'.repeat(64), requestedBy: 'console:alice', approvedBy: [], report };
  const provision = { v: 1, kind: 'provision', env: 'dev', group: 'ltc-regtest', count: 1, requestedBy: 'console:alice', approvedBy: [], report };
  const decommission = { v: 1, kind: 'decommission', env: 'dev', node: 'eth-1', requestedBy: 'console:alice', approvedBy: [], report };
  const health = { v: 1, kind: 'check', nodes: ['eth-1'] };
  const drift = { v: 1, env: 'dev' };
  const JOBS = [
    { name: 'upgrade', schema: upgradeJob, good: upgrade, fields: { rolloutId: (x: string) => x, env: (x: string) => x, group: (x: string) => x, version: (x: string) => x, targets: (x: string) => [x], waves: (x: string) => [[x]], planHash: (x: string) => x, requestedBy: (x: string) => `console:${x}`, approvedBy: (x: string) => [`slack:${x}`] } },
    { name: 'provision', schema: provisionJob, good: provision, fields: { env: (x: string) => x, group: (x: string) => x, requestedBy: (x: string) => `console:${x}` } },
    { name: 'decommission', schema: provisionJob, good: decommission, fields: { env: (x: string) => x, node: (x: string) => x } },
    { name: 'health', schema: healthJob, good: health, fields: { nodes: (x: string) => [x] } },
    { name: 'drift', schema: driftJob, good: drift, fields: { env: (x: string) => x } },
  ] as const;

  for (const job of JOBS) {
    it(`${job.name}: the well-formed data parses, and every injected value in each field is refused`, () => {
      assert.doesNotThrow(() => parseJobData(job.schema, job.good, 'ok'));
      for (const [field, place] of Object.entries(job.fields)) {
        for (const value of INJECTIONS) {
          // Legitimately valid there: a 64-hex plan hash; and an actor id, which always follows
          // `platform:` (so it can never start like an option), may hold dashes, slashes and `*`.
          if (field === 'planHash' && /^[0-9a-f]{64}$/.test(value)) continue;
          if ((field === 'requestedBy' || field === 'approvedBy') && /^[A-Za-z0-9/_*-]{1,80}$/.test(value)) continue;
          const data = { ...job.good, [field]: place(value) };
          assert.throws(() => parseJobData(job.schema, data, 'x'), (e: Error) => /job_data_invalid|cannot use/.test(`${(e as { code?: string }).code} ${e.message}`), `${job.name}.${field} = ${show(value)} was accepted`);
        }
      }
    });
  }
});

describe('injection: refused through every door, nothing queued, no process started', () => {
  const spawned: string[] = [];
  const originals = new Map<string, unknown>();
  const NAMES = ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'] as const;
  before(() => {
    const cp = childProcess as unknown as Record<string, (...a: unknown[]) => unknown>;
    for (const name of NAMES) {
      const real = cp[name]!;
      originals.set(name, real);
      cp[name] = (...args: unknown[]) => {
        spawned.push(`${name} ${String(args[0])}`);
        return real(...args);
      };
    }
    // ES module importers of node:child_process see the spies too.
    syncBuiltinESMExports();
  });
  after(() => {
    const cp = childProcess as unknown as Record<string, unknown>;
    for (const [name, real] of originals) cp[name] = real;
    syncBuiltinESMExports();
  });

  it('control: the spy sees a process started through an ES module import', async () => {
    const { execFileSync } = await import('node:child_process');
    execFileSync(process.execPath, ['-e', '0']);
    assert.deepEqual(spawned, [`execFileSync ${process.execPath}`]);
    spawned.length = 0;
  });

  it('typed commands (as an admin, where changes need no approval): every one refused, queue empty', async () => {
    const h = memoryCore(FLEET);
    const all = cases();
    for (const c of all) {
      const replies = await h.send(ALICE, c.line);
      assert.equal(replies.length, 1, show(c.line));
      assert.equal(replies[0]!.severity, 'error', `${show(c.line)} → ${replies[0]!.text}`);
    }
    assert.deepEqual(h.queue.jobs(), [], 'the job queue received nothing');
    assert.deepEqual((await h.effects()).approvals, []);
    assert.deepEqual(h.errors, []);
    // A control: the same pipeline does queue the clean command, so "nothing queued" above means something.
    await h.send(ALICE, 'upgrade ltc-regtest 0.21.3 --env dev');
    assert.equal(h.queue.jobs().length, 1);
    assert.deepEqual(spawned, [], 'no process was started');
  });

  it('button clicks carrying an injected id are refused, queue empty', async () => {
    const h = memoryCore(FLEET);
    for (const actionId of ['approve', 'reject', 'cancel', 'ack', 'rollout-abort', 'rollout-rollback', 'health-check']) {
      for (const value of INJECTIONS) {
        const replies = await h.click(ALICE, actionId, value);
        assert.equal(replies.length, 1);
        assert.equal(replies[0]!.severity, 'error', `${actionId} ${show(value)} → ${replies[0]!.text}`);
      }
    }
    assert.deepEqual(h.queue.jobs(), []);
    assert.deepEqual(spawned, []);
  });

  it('the Slack upgrade form refuses injected values field by field (before any command text exists)', () => {
    for (const value of INJECTIONS) {
      for (const field of ['target', 'version', 'env'] as const) {
        const good = { target: 'ltc-regtest', version: '0.21.3', env: 'dev' };
        const payload = viewSubmissionSchema.parse(upgradeSubmission({ ...good, [field]: value }));
        const read = readUpgradeSubmission(payload);
        // Surrounding spaces are trimmed by the form; the trimmed value must still be clean.
        if (read.ok) {
          assert.equal(value.trim(), good[field], `${field} = ${show(value)} accepted as ${show(read.text)}`);
          continue;
        }
        assert.ok(read.errors[field], `${field} = ${show(value)}: no error on that field`);
      }
    }
  });

  it('Discord options carrying injected values become text the parser refuses', () => {
    let tried = 0;
    for (const form of commandForms()) {
      for (const slot of slotsOf(form.spec)) {
        if (!NAME_KINDS.has(slot.kind)) continue;
        for (const value of INJECTIONS) {
          const options = form.spec.args.filter((a) => a.required || a.name === slot.name).map((a) => ({
            name: optionName(a.name), type: OptionType.String,
            value: a.name === slot.name ? value : a.kind === 'choice' ? (form.choice ?? a.choices?.[0] ?? '') : a.kind === 'env' ? 'dev' : a.kind === 'version' ? '0.21.3' : a.kind === 'id' ? 'up-abcd1234' : a.kind === 'duration' ? '1h' : a.kind === 'node' ? 'eth-1' : 'ltc-regtest',
          }));
          if (slot.flag) options.push({ name: optionName(slot.name), type: OptionType.String, value });
          const text = commandTextOf([{ name: optionName(form.verb), type: OptionType.Subcommand, options }] as never);
          const r = parseCommand(text);
          tried++;
          if (r.ok) {
            // Known quirk (reported): a positional option value `--env=prod` becomes the flag --env prod.
            assert.ok(/^--[a-z-]+=/.test(value), `Discord ${form.name} ${slot.name}=${show(value)} → ${show(text)} accepted as ${r.command.canonical}`);
            assert.ok(!Object.values(r.command.values).includes(value), `${show(value)} landed in a slot: ${r.command.canonical}`);
          }
        }
      }
    }
    assert.ok(tried > 1000);
  });
});
