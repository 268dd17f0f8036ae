import { MemoryRolloutStore } from '../../adapters/memory/memory-rollout.store.ts';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { MemoryAuditLog } from '../../adapters/memory/memory-audit.log.ts';
import { MemoryStateStore } from '../../adapters/memory/memory-state.store.ts';
import { MemoryJobQueue } from '../../adapters/memory/memory.queue.ts';
import { MemoryOutbox } from '../../adapters/outbox/memory.outbox.ts';
import type { ChatEvent } from '../../src/chat/chat-event.ts';
import type { Message } from '../../src/chat/message.ts';
import { specOf, VERBS, type ValueKind } from '../../src/command/grammar.ts';
import { parseCommand } from '../../src/command/parse.ts';
import type { ParseResult } from '../../src/command/command.types.ts';
import { parseFleet } from '../../src/fleet/fleet.load.ts';
import { ENV_RE, ID_RE, NAME_RE, VERSION_RE } from '../../src/fleet/names.ts';
import type { Fleet } from '../../src/fleet/fleet.schema.ts';
import type { Snapshot } from '../../src/health/snapshot.ts';
import { createDispatch } from '../../src/pipeline/create-dispatch.ts';
import type { CoreDeps } from '../../src/pipeline/deps.ts';

const TOTAL = 10_000;
const DISPATCHED = 2_500;
const SEED = 0xc4a1_0b5;

/** mulberry32: small, fast, and the same sequence on every run for a given seed. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  return { next, int, pick };
}

const VALID = [
  'help', 'help upgrade', 'status', 'status --env prod', 'nodes eth-devnet --env prod', 'nodes', 'health eth-1', 'health',
  'upgrade eth-devnet 7.10.0 --env prod', 'upgrade ltc-regtest 0.21.3 --env dev', 'upgrade eth-1 7.9.3 --waves 1,50% --dry-run',
  'provision ltc-regtest --count 2', 'decommission ltc-2', 'drift --env dev', 'rollout status', 'rollout abort up-abcd12',
  'approve ap-000001', 'reject ap-000001 --reason "not now"', 'lock prod eth-devnet --for 90m --reason maintenance',
  'unlock prod eth-devnet', 'freeze dev --reason "release week"', 'unfreeze dev', 'jobs --limit 5', 'job up-abcd12 log',
  'cancel up-abcd12', 'audit --limit 3', 'alerts', 'ack al-abcd', 'silence eth-1 2h --reason noisy',
  '/chainops status', '!chainops nodes', '<@U123> health eth-2', '<@!123456> drift',
];
const WORDS = [
  ...VERBS, 'eth-devnet', 'ltc-regtest', 'eth-1', 'eth-2', 'ltc-1', 'prod', 'dev', 'staging', '7.10.0', 'v1.2.3', '0.21.2.1',
  'ap-000001', 'ap-000002', 'up-abcd12', 'pv-zzzz', 'dc-1234', '--env', '--env=prod', '--reason', '--for', '--waves', '--count',
  '--limit', '--dry-run', '--dry-run=false', '--', '-', '90m', '1d', '1,25%,100%', 'status', 'abort', 'log', '"two words"', "'x'",
];
const META = [';', '|', '&', '$(', ')', '`', '"', "'", ' ', '\n', '\t', '../', '/', '\\', '*', '>', '<', '{', '}', '$', '=', '-', '--', ',', '%', '\u201c', '\u2019', '\u0000', '\u007f', '\u202e', '\u200b', '🔥', 'é', 'İ', '\ud800'];

function generate(count: number, seed: number): string[] {
  const r = prng(seed);
  const randomUnicode = () => {
    let s = '';
    for (let n = r.int(60); n > 0; n--) {
      const band = r.int(4);
      const cp = band === 0 ? r.int(0x80) : band === 1 ? r.int(0x800) : band === 2 ? r.int(0x10000) : 0x10000 + r.int(0x100000 - 0x10000);
      s += cp >= 0xd800 && cp <= 0xdfff && r.int(2) ? String.fromCharCode(cp) : String.fromCodePoint(cp);
    }
    return s;
  };
  const randomBytes = () => Array.from({ length: r.int(120) }, () => String.fromCharCode(r.int(256))).join('');
  const mutate = (base: string) => {
    let s = base;
    for (let n = 1 + r.int(4); n > 0; n--) {
      const at = r.int(s.length + 1);
      switch (r.int(6)) {
        case 0: s = s.slice(0, at) + r.pick(META) + s.slice(at); break; // insert
        case 1: s = s.slice(0, at) + s.slice(at + 1 + r.int(3)); break; // delete
        case 2: if (at + 1 < s.length) s = s.slice(0, at) + s[at + 1] + s[at] + s.slice(at + 2); break; // swap
        case 3: s = s.slice(0, at) + ' ' + r.pick(WORDS) + ' ' + s.slice(at); break; // extra word
        case 4: s = s.slice(0, at) + s.slice(at).toUpperCase(); break;
        default: s = s.slice(0, at) + String.fromCharCode(r.int(0x3000)) + s.slice(at);
      }
    }
    return s;
  };
  const words = () => Array.from({ length: r.int(6) }, () => r.pick(WORDS)).join(r.pick([' ', '  ', '\t', ' ']));
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    switch (r.int(12)) {
      case 0: out.push(randomBytes()); break;
      case 1: out.push(randomUnicode()); break;
      case 2: case 3: case 4: out.push(mutate(r.pick(VALID))); break;
      case 5: case 6: out.push(r.pick(VALID)); break;
      case 7: out.push(words()); break;
      case 8: out.push(r.pick(['"', "'", '-', ' ', '\u201c', '\u2018']).repeat(r.int(3000))); break;
      case 9: {
        const len = r.pick([1_999, 2_000, 2_001, 100_000]);
        out.push(`${r.pick(VALID)} --reason ${'x'.repeat(len)}`.slice(0, len));
        break;
      }
      case 10: out.push(`${r.pick(VERBS)} ${Array.from({ length: r.int(4) }, () => r.pick(META) + r.pick(WORDS) + r.pick(META)).join(' ')}`); break;
      default: out.push(`${r.pick(['', '/chainops ', '!chainops ', '<@U1> ', '<@!9> '])}${r.pick(VERBS)} ${words()}`);
    }
  }
  return out;
}

const WAVES_RE = /^(\d{1,4}|\d{1,3}%)(,(\d{1,4}|\d{1,3}%)){0,9}$/;

/** Does a validated value fit the tight pattern of its kind? Returns the reason when it does not. */
function violates(kind: ValueKind, value: unknown, choices?: readonly string[]): string | undefined {
  const str = (re: RegExp) => (typeof value === 'string' && re.test(value) ? undefined : `${JSON.stringify(value)} !~ ${re}`);
  switch (kind) {
    case 'node': case 'group': case 'target': return str(NAME_RE);
    case 'env': return str(ENV_RE);
    case 'version': return str(VERSION_RE);
    case 'id': return str(ID_RE);
    case 'waves': return str(WAVES_RE);
    case 'count': return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 1000 ? undefined : `bad count ${String(value)}`;
    case 'duration': return Number.isInteger(value) && (value as number) >= 1000 && (value as number) <= 30 * 86_400_000 ? undefined : `bad duration ${String(value)}`;
    case 'bool': return typeof value === 'boolean' ? undefined : 'not a boolean';
    case 'choice': return typeof value === 'string' && choices?.includes(value) ? undefined : `not a choice: ${String(value)}`;
    case 'text':
      // eslint-disable-next-line no-control-regex
      return typeof value === 'string' && value.length <= 300 && !/[\u0000-\u001f\u007f]/.test(value) ? undefined : `bad text ${JSON.stringify(value)}`;
  }
}

function checkResult(text: string, r: ParseResult): void {
  const where = JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text);
  if (!r.ok) {
    assert.equal(typeof r.message, 'string', where);
    assert.ok(r.message.trim().length > 0, `empty refusal for ${where}`);
    return;
  }
  const spec = specOf(r.command.verb);
  for (const [name, value] of Object.entries(r.command.values)) {
    const slot = spec.args.find((a) => a.name === name) ?? spec.flags.find((f) => f.name === name);
    assert.ok(slot, `${where}: value ${name} is not in the grammar of ${spec.verb}`);
    if (value === undefined) continue;
    const bad = violates(slot.kind, value, slot.choices);
    assert.equal(bad, undefined, `${where}: <${name}> ${bad}`);
  }
  for (const a of spec.args) if (a.required) assert.notEqual(r.command.values[a.name], undefined, `${where}: missing ${a.name}`);
  // The canonical text (shown to approvers, audited, re-parsed on approval) means the same command.
  const again = parseCommand(r.command.canonical);
  assert.ok(again.ok, `${where}: canonical ${JSON.stringify(r.command.canonical)} does not parse: ${again.ok ? '' : again.message}`);
  assert.equal(again.command.canonical, r.command.canonical, where);
  assert.deepEqual(again.command.values, Object.fromEntries(Object.entries(r.command.values).filter(([, v]) => v !== false)), where);
}

const demo = (() => {
  const r = parseFleet(readFileSync(new URL('../../examples/demo/chainops.yaml', import.meta.url), 'utf8'));
  if (!r.ok) throw new Error('demo fleet invalid');
  return r.fleet;
})();

function memoryDeps(fleet: Fleet) {
  let now = 1_700_000_000_000;
  const clock = { now: () => now };
  const errors: unknown[] = [];
  let seq = 0;
  const snap = (name: string): Snapshot => {
    const n = fleet.nodes.find((x) => x.name === name)!;
    const g = fleet.groups[n.group]!;
    return { node: name, group: n.group, env: n.env, chain: g.chain, network: g.network, at: now, reachable: true, version: g.desired_version, head: 100, headTime: now, peers: 5, latencyMs: 3, warnings: [] };
  };
  const deps: CoreDeps = {
    fleet: () => fleet,
    queue: new MemoryJobQueue({ clock }),
    state: new MemoryStateStore({ clock }),
    audit: new MemoryAuditLog({ maxLen: 1000 }),
    outbox: new MemoryOutbox(),
    clock,
    logger: { info() {}, warn() {}, debug() {}, error: (obj: object) => void errors.push(obj) },
    checkNow: async (nodes) => nodes.map(snap),
    newId: () => (++seq).toString(36).padStart(6, '0'),
    rollouts: new MemoryRolloutStore(),
  };
  return { deps, errors, tick: (ms: number) => void (now += ms) };
}

describe('command fuzz (seeded, reproducible)', () => {
  const inputs = generate(TOTAL, SEED);

  it('the generator is deterministic and varied', () => {
    assert.deepEqual(generate(50, SEED), inputs.slice(0, 50));
    assert.notDeepEqual(generate(50, SEED + 1), inputs.slice(0, 50));
    const results = inputs.map((t) => parseCommand(t));
    const accepted = results.filter((r) => r.ok).length;
    // Both sides are exercised: plenty accepted, plenty refused.
    assert.ok(accepted > TOTAL * 0.15, `only ${accepted} accepted`);
    assert.ok(TOTAL - accepted > TOTAL * 0.3, `only ${TOTAL - accepted} refused`);
    const verbs = new Set(results.flatMap((r) => (r.ok ? [r.command.verb] : [])));
    assert.equal(verbs.size, VERBS.length, `verbs reached: ${[...verbs].join(',')}`);
    assert.ok(inputs.some((t) => t.length > 2000));
  });

  it(`parseCommand never throws on ${TOTAL} inputs, and every accepted value fits its pattern`, () => {
    for (const text of inputs) {
      let r: ParseResult;
      try {
        r = parseCommand(text);
      } catch (err) {
        assert.fail(`parseCommand threw on ${JSON.stringify(text.slice(0, 200))}: ${String(err)}`);
      }
      checkResult(text, r);
    }
  });

  it('the pattern check itself catches values that do not fit', () => {
    assert.match(violates('node', 'eth-1;ls') ?? '', /!~/);
    assert.match(violates('env', 'prod d') ?? '', /!~/);
    assert.match(violates('version', '1.0.0`id`') ?? '', /!~/);
    assert.match(violates('id', '$(id)') ?? '', /!~/);
    assert.ok(violates('text', 'a\nb'));
    assert.ok(violates('count', 0));
    assert.ok(violates('choice', 'nuke', ['status']));
    assert.equal(violates('target', 'eth-devnet'), undefined);
    assert.throws(() => checkResult('x', { ok: true, command: { verb: 'decommission', values: { node: '../x' }, canonical: '/chainops decommission ../x' } }));
    assert.throws(() => checkResult('x', { ok: false, message: ' ' }));
  });

  it('non-string input is refused, not thrown', () => {
    for (const bad of [undefined, null, 42, {}, []]) {
      const r = parseCommand(bad as unknown as string);
      assert.equal(r.ok, false);
    }
  });

  it(`createDispatch answers each of ${DISPATCHED} fuzzed commands (as an admin) with exactly one message`, async () => {
    const { deps, errors, tick } = memoryDeps(structuredClone(demo));
    const dispatch = createDispatch(deps);
    const r = prng(SEED ^ 0x5555);
    let actions = 0;
    for (let i = 0; i < DISPATCHED; i++) {
      const text = inputs[i]!;
      const conversation = { platform: 'console' as const, channelId: 'fuzz' };
      const actor = { platform: 'console' as const, id: 'alice', roleIds: [] };
      // Some of them arrive as button clicks with a fuzzed action id or value.
      const event: ChatEvent = i % 10 === 9
        ? { kind: 'action', actor, conversation, actionId: r.pick(['approve', 'reject', 'cancel', 'ack', 'rollout-abort', 'health-check', 'nope', '']), value: text.slice(0, 100) }
        : { kind: 'command', actor, conversation, text };
      if (event.kind === 'action') actions++;
      const replies: Message[] = [];
      let n = 0;
      await assert.doesNotReject(
        dispatch(event, async (m) => {
          replies.push(m);
          return { platform: 'console', channelId: 'fuzz', messageId: String(++n) };
        }),
        `dispatch threw on ${JSON.stringify(text.slice(0, 200))}`,
      );
      assert.equal(replies.length, 1, `${replies.length} replies to ${JSON.stringify(text.slice(0, 200))}`);
      assert.equal(typeof replies[0]!.text, 'string');
      assert.ok(replies[0]!.text.trim().length > 0, `empty reply to ${JSON.stringify(text.slice(0, 200))}`);
      assert.ok(Array.isArray(replies[0]!.blocks));
      tick(1_000);
    }
    assert.ok(actions > 100);
    // Fuzzed input is bad input: it must never surface as an internal error.
    assert.deepEqual(errors, []);
  });
});
