import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryAuditLog } from '../../adapters/memory/memory-audit.log.ts';
import { MemoryGitopsLedger } from '../../adapters/gitops/gitops-ledger.memory.ts';
import type { Conversation } from '../../src/chat/chat-event.ts';
import type { Message } from '../../src/chat/message.ts';
import { parseFleet } from '../../src/fleet/fleet.load.ts';
import type { Fleet } from '../../src/fleet/fleet.schema.ts';
import { fleetRev, type FleetView } from '../../src/gitops/fleet-view.ts';
import { previewChannels, readGitopsHookEnv } from '../../src/gitops/gitops-hook-env.ts';
import { PushAnnouncer } from '../../src/gitops/push-announcer.ts';
import type { Outbox, OutboxItem } from '../../src/ports/outbox.port.ts';

const fleetText = (version: string) => `version: 1
name: announcer
environments:
  prod: { channels: { slack: C0PROD, discord: "1234" } }
groups:
  eth: { chain: ethereum, network: devnet, client: geth, desired_version: ${version}, rpc: { kind: eth } }
nodes:
  - { name: eth-1, group: eth, env: prod, rpc_url: "http://127.0.0.1:1" }
roles:
  admin: { console: [alice] }
`;
const silent = { info() {}, warn() {}, error() {}, debug() {} };
const OPS: Conversation = { platform: 'slack', channelId: 'C0OPS' };

/** A fleet source whose text the test moves, counting fetches; and a view with a fixed fleet in force. */
function world(opts: { inForce?: string } = {}) {
  const inForceText = opts.inForce ?? fleetText('1.0.0');
  const base = (parseFleet(inForceText) as { ok: true; fleet: Fleet }).fleet;
  // `during(n)` runs while fetch n (1-based) is on the wire, after the text it returns was read.
  const src: { text: string; fetches: number; during?: (n: number) => Promise<void> | void } = { text: inForceText, fetches: 0 };
  const gitops = {
    source: { id: 'git:/repo#main:chainops.yaml', kind: 'git' as const, describe: () => 'git /repo main:chainops.yaml', fetch: async () => {
      const n = ++src.fetches;
      const text = src.text;
      await src.during?.(n);
      return { text, rev: fleetRev(text), commit: 'c'.repeat(40) };
    } },
    view: { base: () => ({ fleet: base, rev: fleetRev(inForceText) }), parse: (t: string) => parseFleet(t) } as unknown as FleetView,
  };
  const ledger = new MemoryGitopsLedger();
  const posted: OutboxItem[] = [];
  const audit = new MemoryAuditLog();
  const make = (o: { debounceMs?: number; maxWaitMs?: number; channels?: Conversation[]; clock?: () => number; outbox?: Outbox } = {}) =>
    new PushAnnouncer({
      gitops, ledger, audit, logger: silent,
      outbox: o.outbox ?? { publish: async (item) => void posted.push(item) },
      clock: { now: o.clock ?? Date.now },
      channels: () => o.channels ?? [OPS],
      ...(o.debounceMs !== undefined ? { debounceMs: o.debounceMs } : {}),
      ...(o.maxWaitMs !== undefined ? { maxWaitMs: o.maxWaitMs } : {}),
    });
  return { src, posted, audit, make };
}

/** Let a look that a timer started reach its fetch (it takes its ticket from the ledger first). setImmediate is not mocked. */
const settle = () => new Promise((r) => setImmediate(r));
const applyButton = (m: Message) => m.blocks.flatMap((b) => (b.type === 'actions' ? b.buttons : [])).find((b) => b.actionId === 'sync-apply');

test('a burst of five pushes yields one look, after the quiet time, and one preview of the newest revision with Apply', async () => {
  const w = world();
  const a = w.make({ debounceMs: 30 });
  for (const v of ['1.0.1', '1.0.2', '1.0.3', '1.0.4', '1.0.5']) {
    w.src.text = fleetText(v);
    a.nudge('github push');
  }
  await a.idle();
  assert.equal(w.src.fetches, 1);
  assert.equal(w.posted.length, 1);
  const item = w.posted[0]!;
  assert.deepEqual(item.conversation, OPS);
  assert.equal(applyButton(item.message)?.value, fleetRev(fleetText('1.0.5')));
  assert.match(JSON.stringify(item.message.blocks), /1\.0\.0.*1\.0\.5/);
  assert.match(JSON.stringify(item.message.blocks), /Posted because the fleet repository moved to cccccccccccc \(github push\)/);
  const entries = await w.audit.latest(5);
  assert.equal(entries.filter((e) => e.action === 'gitops.preview').length, 1);
  assert.equal(entries[0]!.outcome, 'ok');
  // Looking again (a poll, a redelivered webhook) posts nothing: this revision was previewed.
  assert.equal(await a.check('poll'), 'already-previewed');
  assert.equal(w.posted.length, 1);
});

test('two replicas that both see the push post it once', async () => {
  const w = world();
  w.src.text = fleetText('2.0.0');
  const [a, b] = [w.make(), w.make()];
  const outcomes = await Promise.all([a.check('poll'), b.check('poll')]);
  assert.deepEqual(outcomes.sort(), ['already-previewed', 'posted']);
  assert.equal(w.posted.length, 1);
});

test('the revision in force, or one that changes nothing in desired state, posts nothing', async () => {
  const w = world();
  const a = w.make();
  assert.equal(await a.check('poll'), 'same');
  w.src.text = `${fleetText('1.0.0')}# a comment only\n`;
  assert.equal(await a.check('poll'), 'same');
  assert.equal(w.posted.length, 0);
});

test('a push that lands while the source is being fetched: the look fetches again and previews only the newest revision', async () => {
  const w = world();
  w.src.text = fleetText('6.0.0');
  const a = w.make({ debounceMs: 10 });
  w.src.during = (n) => {
    if (n === 1) {
      w.src.text = fleetText('6.0.1');
      a.nudge('github push');
    }
  };
  assert.equal(await a.check('github push'), 'posted');
  await a.idle(); // the push's own look finds it previewed
  assert.equal(w.posted.length, 1, 'only one preview');
  assert.equal(applyButton(w.posted[0]!.message)?.value, fleetRev(fleetText('6.0.1')));
  assert.equal(w.src.fetches, 3);
});

test('a replica whose slow fetch was overtaken by a later look elsewhere posts nothing: no older preview after a newer one', async () => {
  const w = world();
  const [slow, fast] = [w.make(), w.make()];
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  w.src.text = fleetText('7.0.0');
  w.src.during = (n) => (n === 1 ? held : undefined);
  const older = slow.check('poll'); // fetches 7.0.0, then hangs
  while (w.src.fetches < 1) await new Promise((r) => setImmediate(r));
  w.src.text = fleetText('7.0.1');
  assert.equal(await fast.check('github push'), 'posted');
  release();
  assert.equal(await older, 'superseded');
  assert.deepEqual(w.posted.map((p) => applyButton(p.message)?.value), [fleetRev(fleetText('7.0.1'))]);
});

test('an invalid fleet file posts the refusal with its problems (no Apply), audited as refused', async () => {
  const w = world();
  w.src.text = fleetText('1.0.0').replace('desired_version: 1.0.0', 'desired_version: 1.0.0, colour: blue');
  const a = w.make();
  assert.equal(await a.check('github push'), 'refusal-posted');
  const m = w.posted[0]!.message;
  assert.equal(m.severity, 'error');
  assert.equal(applyButton(m), undefined);
  assert.match(JSON.stringify(m.blocks), /colour/);
  assert.equal((await w.audit.latest(1))[0]!.outcome, 'refused');
});

test('with no channel to post to, nothing is posted and the revision stays unclaimed for when one is set', async () => {
  const w = world();
  w.src.text = fleetText('3.0.0');
  assert.equal(await w.make({ channels: [] }).check('poll'), 'no-channel');
  assert.equal(await w.make().check('poll'), 'posted');
});

test('a preview that cannot be queued is audited as failed and its claim given back: the next look posts it, once', async () => {
  const w = world();
  w.src.text = fleetText('5.0.0');
  let broken = true;
  const outbox: Outbox = { publish: async (item) => { if (broken) throw new Error('READONLY'); w.posted.push(item); } };
  const a = w.make({ outbox });
  assert.equal(await a.check('poll'), 'failed');
  const [e] = await w.audit.latest(1);
  assert.equal(e!.outcome, 'failed');
  assert.match(e!.detail, /could not be queued \(READONLY\) — tried again on the next push or poll; `\/chainops sync` shows it/);
  broken = false;
  // Another replica (same ledger) or this one: the revision was not lost with the failed post.
  assert.equal(await w.make({ outbox }).check('poll'), 'posted');
  assert.equal(await a.check('poll'), 'already-previewed');
  assert.equal(w.posted.length, 1);
});

test('giving a claim back removes only the giver\'s own claim (compare-and-delete), and an unkept claim lapses', async () => {
  let now = 1_000;
  const l = new MemoryGitopsLedger({ now: () => now });
  assert.equal(await l.claim('k', 'replica-a', 100), true);
  assert.equal(await l.claim('k', 'replica-b', 100), false);
  assert.equal(await l.giveBack('k', 'replica-b'), false, 'b cannot remove a\'s claim');
  assert.equal(await l.claim('k', 'replica-b', 100), false);
  now += 101; // a died before posting: its claim lapses
  assert.equal(await l.claim('k', 'replica-b', 100), true);
  assert.equal(await l.giveBack('k', 'replica-a'), false, 'a, late, cannot remove b\'s claim');
  assert.equal(await l.keep('k', 'replica-b', 10_000), true);
  now += 5_000;
  assert.equal(await l.claim('k', 'replica-a', 100), false, 'a kept claim holds');
});

test('pushes that never stop still get a look once the longest wait is up', async () => {
  mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
  try {
    const w = world();
    w.src.text = fleetText('4.0.0');
    const a = w.make({ debounceMs: 2_000, maxWaitMs: 10_000 });
    for (let t = 0; t < 9_000; t += 1_500) {
      a.nudge('push');
      mock.timers.tick(1_500);
    }
    await settle();
    assert.equal(w.src.fetches, 0, 'no look while pushes keep coming within the quiet time');
    a.nudge('push');
    mock.timers.tick(1_000); // 10 s after the first push
    await settle();
    assert.equal(w.src.fetches, 1);
  } finally {
    mock.timers.reset();
  }
});

test('polling looks at once on each tick, but not while a push waits out its quiet time', async () => {
  mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'], now: 0 });
  try {
    const w = world();
    const a = w.make({ debounceMs: 2_000 });
    a.startPolling(1_000);
    mock.timers.tick(1_000);
    await settle();
    assert.equal(w.src.fetches, 1);
    await a.idle();
    a.nudge('push');
    mock.timers.tick(1_000);
    await settle();
    assert.equal(w.src.fetches, 1, 'the poll skipped its turn');
    mock.timers.tick(1_000);
    await settle();
    assert.equal(w.src.fetches, 2, 'the push looked after its quiet time');
    await a.stop();
    mock.timers.tick(5_000);
    await settle();
    assert.equal(w.src.fetches, 2, 'no polls after stop');
  } finally {
    mock.timers.reset();
  }
});

test('previewChannels: CHAINOPS_GITOPS_CHANNEL wins; else the prod environment channels; only connected platforms', () => {
  const fleet = (parseFleet(fleetText('1.0.0')) as { ok: true; fleet: Fleet }).fleet;
  assert.deepEqual(previewChannels(['slack:C0OPS', 'telegram:-1001'], fleet, ['slack', 'discord']), [{ platform: 'slack', channelId: 'C0OPS' }]);
  assert.deepEqual(previewChannels([], fleet, ['slack', 'discord']), [{ platform: 'slack', channelId: 'C0PROD' }, { platform: 'discord', channelId: '1234' }]);
  assert.deepEqual(previewChannels([], fleet, ['telegram']), []);
});

test('readGitopsHookEnv: defaults, a channel list with a Telegram topic, and the variable named on a bad value', () => {
  assert.deepEqual(readGitopsHookEnv({}), { CHAINOPS_GITOPS_CHANNEL: [], CHAINOPS_FLEET_POLL_MS: 60_000, CHAINOPS_GITOPS_DEBOUNCE_MS: 2_000 });
  assert.deepEqual(readGitopsHookEnv({ CHAINOPS_GITOPS_CHANNEL: 'slack:C0OPS, telegram:-1001234567890:42', CHAINOPS_FLEET_POLL_MS: '0' }).CHAINOPS_GITOPS_CHANNEL, ['slack:C0OPS', 'telegram:-1001234567890:42']);
  assert.throws(() => readGitopsHookEnv({ CHAINOPS_GITOPS_CHANNEL: 'C0OPS' }), /CHAINOPS_GITOPS_CHANNEL: C0OPS: use <platform>:<channel id>/);
  assert.throws(() => readGitopsHookEnv({ CHAINOPS_GITOPS_CHANNEL: 'slack:C0OPS;rm' }), /CHAINOPS_GITOPS_CHANNEL/);
  assert.throws(() => readGitopsHookEnv({ CHAINOPS_GITOPS_WEBHOOK_SECRET: 'short' }), /CHAINOPS_GITOPS_WEBHOOK_SECRET: use a random secret/);
});
