import { demoFleet as loadDemoFleet } from '../helpers/pipeline-harness.ts';
import { MemoryRolloutStore } from '../../adapters/memory/memory-rollout.store.ts';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryAuditLog } from '../../adapters/memory/memory-audit.log.ts';
import { MemoryStateStore } from '../../adapters/memory/memory-state.store.ts';
import { MemoryJobQueue } from '../../adapters/memory/memory.queue.ts';
import { MemoryOutbox } from '../../adapters/outbox/memory.outbox.ts';
import type { Actor, ChatEvent, Conversation, MessageRef } from '../../src/chat/chat-event.ts';
import type { Block, Button, Message } from '../../src/chat/message.ts';
import type { Fleet } from '../../src/fleet/fleet.schema.ts';
import type { Snapshot } from '../../src/health/snapshot.ts';
import { upgradeJob } from '../../src/jobs/job-data.schema.ts';
import { createDispatch } from '../../src/pipeline/create-dispatch.ts';
import type { CoreDeps } from '../../src/pipeline/deps.ts';
import { deliverOutboxItem } from '../../src/pipeline/outbox-delivery.ts';
import type { ChatPort } from '../../src/ports/chat.port.ts';

const T0 = Date.UTC(2025, 0, 6, 9, 0, 0);
const MIN = 60_000;
const UPGRADE = 'upgrade eth-devnet 7.10.0 --env prod';

// The harness's copy: the demo fleet without what only `npm run demo` shows (eth-4, promotion, releases).
const demoFleet: Fleet = loadDemoFleet();

/**
 * The core with in-memory ports: a clock the test moves, deterministic ids, fake RPC checks, and an
 * outbox delivered in-process to a recording chat port (as a bot replica would).
 */
function harness(edit: (f: Fleet) => void = () => {}) {
  let now = T0;
  const clock = { now: () => now };
  let fleet = structuredClone(demoFleet);
  edit(fleet);
  const state = new MemoryStateStore({ clock });
  // Count compare-and-set conflicts, to show the concurrent tests really race.
  const cas = { conflicts: 0 };
  const save = state.saveApproval.bind(state);
  state.saveApproval = async (req, rev) => {
    const ok = await save(req, rev);
    if (!ok) cas.conflicts++;
    return ok;
  };
  const queue = new MemoryJobQueue({ clock });
  const audit = new MemoryAuditLog();
  let msgSeq = 0;
  const chatLog: Array<{ op: 'post' | 'update' | 'thread'; ref: MessageRef; message: Message }> = [];
  const chat: ChatPort = {
    async post(conversation, message) {
      const ref = { platform: conversation.platform, channelId: conversation.channelId, messageId: `m${++msgSeq}` };
      chatLog.push({ op: 'post', ref, message });
      return ref;
    },
    async update(ref, message) {
      chatLog.push({ op: 'update', ref, message });
    },
    async replyInThread(ref, message) {
      chatLog.push({ op: 'thread', ref, message });
      return { ...ref, messageId: `m${++msgSeq}` };
    },
  };
  const outbox = new MemoryOutbox((item) => deliverOutboxItem(item, () => chat, state));
  const checked: string[][] = [];
  const errors: unknown[] = [];
  let idSeq = 0;
  const snapshotOf = (name: string): Snapshot => {
    const n = fleet.nodes.find((x) => x.name === name)!;
    const g = fleet.groups[n.group]!;
    return { node: name, group: n.group, env: n.env, chain: g.chain, network: g.network, at: now, reachable: true, version: g.desired_version, head: 1000, headTime: now - 2_000, peers: 3, latencyMs: 4, warnings: [] };
  };
  const deps: CoreDeps = {
    fleet: () => fleet,
    queue,
    state,
    audit,
    outbox,
    clock,
    logger: { info() {}, warn() {}, debug() {}, error: (o: object) => void errors.push(o) },
    checkNow: async (nodes) => {
      checked.push(nodes);
      return nodes.map(snapshotOf);
    },
    newId: () => (++idSeq).toString().padStart(6, '0'),
    rollouts: new MemoryRolloutStore(),
  };
  const dispatch = createDispatch(deps);
  const conversation: Conversation = { platform: 'console', channelId: 'ops' };
  const actor = (id: string): Actor => ({ platform: 'console', id, roleIds: [] });

  async function deliver(event: ChatEvent): Promise<Message[]> {
    const replies: Message[] = [];
    await dispatch(event, async (m) => {
      replies.push(m);
      return { platform: 'console', channelId: 'ops', messageId: `m${++msgSeq}` };
    });
    assert.equal(replies.length, 1, `expected one reply, got ${replies.map((r) => r.text).join(' | ')}`);
    return replies;
  }
  /** Type a command as a console user; returns the one reply. */
  const send = async (user: string, text: string) => (await deliver({ kind: 'command', actor: actor(user), conversation, text }))[0]!;
  /** Click a button as a console user. */
  const click = async (user: string, button: Button) =>
    (await deliver({ kind: 'action', actor: actor(user), conversation, actionId: button.actionId, value: button.value }))[0]!;

  return {
    deps, state, queue, audit, outbox, chatLog, checked, errors, send, click, cas,
    tick: (ms: number) => void (now += ms),
    setFleet: (f: Fleet) => void (fleet = f),
    fleet: () => fleet,
  };
}

const buttonsOf = (m: Message): Button[] => m.blocks.flatMap((b) => (b.type === 'actions' ? b.buttons : []));
const allText = (m: Message): string => [m.text, ...m.blocks.map((b: Block) => JSON.stringify(b))].join('\n');
const tableRows = (m: Message): string[][] => m.blocks.flatMap((b) => (b.type === 'table' ? b.rows : []));

/** carol asks for the prod upgrade; returns the approval id and its buttons. */
async function request(h: ReturnType<typeof harness>, user = 'carol', text = UPGRADE) {
  const reply = await h.send(user, text);
  const buttons = buttonsOf(reply);
  const approve = buttons.find((b) => b.actionId === 'approve');
  assert.ok(approve, `no Approve button in: ${allText(reply)}`);
  return { reply, id: approve.value, approve, reject: buttons.find((b) => b.actionId === 'reject')! };
}

describe('upgrade in prod needs an approval from someone else', () => {
  it('the request posts an approval message with Approve/Reject and enqueues nothing', async () => {
    const h = harness();
    const { reply, id, approve, reject } = await request(h);
    assert.equal(id, 'ap-000001');
    assert.equal(approve.label, 'Approve');
    assert.equal(reject.label, 'Reject');
    assert.equal(reject.value, id);
    assert.ok(approve.confirm, 'approving asks for confirmation');
    assert.match(reply.text, /Approval ap-000001 \(pending\): \/chainops upgrade eth-devnet 7\.10\.0 --env prod/);
    const waves = reply.blocks.flatMap((b) => (b.type === 'code' ? [b.text] : []));
    assert.deepEqual(waves, ['wave 1: eth-1\nwave 2: eth-2, eth-3']);
    assert.deepEqual(h.queue.jobs(), []);
    const stored = await h.state.getApproval(id);
    assert.equal(stored?.status, 'pending');
    assert.equal(stored?.requestedBy, 'console:carol');
    assert.equal(stored?.required, 1);
    assert.equal(stored?.expiresAt, T0 + 30 * MIN);
    assert.equal(stored?.command, '/chainops upgrade eth-devnet 7.10.0 --env prod');
    assert.ok((await h.state.getMessageRef(`approval:${id}`)), 'the approval message is owned so it can be edited');
    const [last] = await h.audit.latest(1);
    assert.deepEqual([last?.action, last?.outcome, last?.ref], ['approval.request', 'pending', id]);
  });

  it('the requester, a viewer and an unknown approval are refused; bob approves and exactly one job starts', async () => {
    const h = harness();
    const { id, approve } = await request(h);

    // carol (operator, and the requester) cannot approve, by command or by button.
    h.tick(MIN);
    const own = await h.send('carol', `approve ${id}`);
    assert.equal(own.severity, 'error');
    assert.match(own.text, /needs the approver role; you are an operator/);
    let [entry] = await h.audit.latest(1);
    assert.deepEqual([entry?.actor, entry?.outcome, entry?.detail], ['console:carol', 'refused', `/chainops approve ${id}`]);
    assert.equal((await h.click('carol', approve)).severity, 'error');

    // dave is only a viewer (console `*`).
    const viewer = await h.send('dave', `approve ${id}`);
    assert.match(viewer.text, /needs the approver role; you are a viewer/);
    [entry] = await h.audit.latest(1);
    assert.deepEqual([entry?.actor, entry?.outcome], ['console:dave', 'refused']);

    assert.match((await h.send('bob', 'approve ap-zzzzzz')).text, /no approval `ap-zzzzzz`/);
    assert.equal((await h.state.getApproval(id))?.status, 'pending');
    assert.deepEqual(h.queue.jobs(), []);

    // bob approves with the button.
    h.tick(MIN);
    const ok = await h.click('bob', approve);
    assert.equal(ok.severity, 'ok');
    const jobs = h.queue.jobs();
    assert.equal(jobs.length, 1);
    const job = jobs[0]!;
    assert.match(ok.text, new RegExp(`Approved ${id}; started ${job.id}`));
    assert.equal(job.queue, 'upgrade');
    assert.equal(job.state, 'waiting');
    const data = upgradeJob.parse(job.data);
    assert.equal(data.v, 1);
    assert.equal(data.rolloutId, job.id);
    assert.deepEqual([data.env, data.group, data.version], ['prod', 'eth-devnet', '7.10.0']);
    assert.deepEqual(data.targets, ['eth-1', 'eth-2', 'eth-3']);
    assert.deepEqual(data.waves, [['eth-1'], ['eth-2', 'eth-3']], 'demo waves 1, 50%, 100% on 3 nodes: 1, then ceil(1.5)');
    assert.equal(data.requestedBy, 'console:carol');
    assert.deepEqual(data.approvedBy, ['console:bob']);
    assert.equal(data.dryRun, false);
    assert.equal(data.planHash, (await h.state.getApproval(id))?.planHash);
    assert.deepEqual(data.report, { key: `job:${job.id}`, conversation: { platform: 'console', channelId: 'ops' } });

    const approval = await h.state.getApproval(id);
    assert.equal(approval?.status, 'approved');
    assert.deepEqual(approval?.approvals, ['console:bob']);

    // The approval message is edited in place through the outbox, now without buttons.
    const upd = h.outbox.items.filter((i) => i.key === `approval:${id}`);
    assert.equal(upd.length, 1);
    assert.equal(upd[0]!.op, 'upsert');
    assert.deepEqual(buttonsOf(upd[0]!.message), []);
    assert.match(upd[0]!.message.text, /\(approved\)/);
    assert.match(allText(upd[0]!.message), /Approved by console:bob/);
    const ref = await h.state.getMessageRef(`approval:${id}`);
    const edits = h.chatLog.filter((c) => c.op === 'update');
    assert.equal(edits.length, 1);
    assert.deepEqual(edits[0]!.ref, ref, 'the edit lands on the message the request posted');
    // The job gets its own message, posted through the outbox, with a Cancel button.
    const jobPost = h.chatLog.find((c) => c.op === 'post');
    assert.ok(jobPost);
    assert.deepEqual(buttonsOf(jobPost.message).map((b) => [b.actionId, b.value]), [['cancel', job.id]]);
    assert.deepEqual(await h.state.getMessageRef(`job:${job.id}`), jobPost.ref);

    const audited = (await h.audit.latest(3)).map((e) => e.action);
    assert.deepEqual(audited, ['job.enqueue', 'approval.approve', 'command']);

    // A second approval changes nothing.
    const again = await h.send('alice', `approve ${id}`);
    assert.match(again.text, /already approved; nothing changed/);
    assert.equal(h.queue.jobs().length, 1);
    const twice = await h.click('bob', approve);
    assert.match(twice.text, /already approved/);
    assert.equal(h.queue.jobs().length, 1);
    assert.deepEqual(h.errors, []);
  });

  it('self-approval is refused and audited even when the requester holds the approver role', async () => {
    const h = harness((f) => void f.roles.approver!.console.push('carol'));
    const { id, approve } = await request(h, 'carol');
    for (const own of [await h.send('carol', `approve ${id}`), await h.click('carol', approve)]) {
      assert.equal(own.severity, 'error');
      assert.match(own.text, /you requested ap-000001, so someone else must approve it \(self-approval is off in prod\)/);
      const [entry] = await h.audit.latest(1);
      assert.deepEqual([entry?.actor, entry?.action, entry?.outcome], ['console:carol', 'refused', 'refused']);
      assert.match(entry?.detail ?? '', /someone else must approve/);
    }
    assert.equal((await h.state.getApproval(id))?.status, 'pending');
    assert.deepEqual((await h.state.getApproval(id))?.approvals, []);
    assert.deepEqual(h.queue.jobs(), []);
    // bob may approve carol's request.
    assert.match((await h.send('bob', `approve ${id}`)).text, /Approved ap-000001; started up-/);
    assert.equal(h.queue.jobs().length, 1);
  });

  it('with self_approval on, the requester may approve their own change', async () => {
    const h = harness((f) => void (f.environments['prod']!.approval.self_approval = true));
    const { id } = await request(h, 'bob');
    assert.match((await h.send('bob', `approve ${id}`)).text, /Approved ap-000001; started/);
    assert.equal(h.queue.jobs().length, 1);
  });
});

describe('two approvals required', () => {
  const twoApprovers = (f: Fleet) => {
    f.environments['prod']!.approval.required = 2;
    f.roles.approver!.console.push('erin');
  };

  it('two approvers at the same moment: both counted once, one job', async () => {
    const h = harness(twoApprovers);
    const { id, approve } = await request(h);
    const [a, b] = await Promise.all([h.click('bob', approve), h.click('erin', approve)]);
    const texts = [a.text, b.text].sort();
    assert.ok(texts.some((t) => /Approved ap-000001 \(pending\)/.test(t)), texts.join(' | '));
    assert.ok(texts.some((t) => /Approved ap-000001; started up-/.test(t)), texts.join(' | '));
    const approval = await h.state.getApproval(id);
    assert.equal(approval?.status, 'approved');
    assert.deepEqual([...approval!.approvals].sort(), ['console:bob', 'console:erin']);
    assert.equal(h.queue.jobs().length, 1);
    assert.deepEqual(upgradeJob.parse(h.queue.jobs()[0]!.data).approvedBy.sort(), ['console:bob', 'console:erin']);
    assert.ok(h.cas.conflicts >= 1, 'the two approvals raced on the same revision');
  });

  it('one approver clicking twice at once counts once and starts nothing', async () => {
    const h = harness(twoApprovers);
    const { id, approve } = await request(h);
    const replies = await Promise.all([h.click('bob', approve), h.click('bob', approve)]);
    assert.equal(replies.filter((r) => /you already approved/.test(r.text)).length, 1, replies.map((r) => r.text).join(' | '));
    const approval = await h.state.getApproval(id);
    assert.deepEqual(approval?.approvals, ['console:bob']);
    assert.equal(approval?.status, 'pending');
    assert.deepEqual(h.queue.jobs(), []);
    assert.ok(h.cas.conflicts >= 1, 'the two clicks raced on the same revision');
    // The pending message says one more is needed and keeps its buttons.
    const upd = h.outbox.items.filter((i) => i.key === `approval:${id}`).at(-1)!;
    assert.match(allText(upd.message), /Waiting for 1 more approval/);
    assert.equal(buttonsOf(upd.message).length, 2);
  });
});

describe('an approval is void when it expires or the plan changes', () => {
  it('past `expires` the approval says expired and starts nothing', async () => {
    const h = harness();
    const { id, approve } = await request(h);
    h.tick(30 * MIN); // exactly at expiry it still counts
    h.tick(1);
    const r = await h.click('bob', approve);
    assert.equal(r.severity, 'warn');
    assert.match(r.text, /ap-000001 expired after 30m — run `\/chainops upgrade eth-devnet 7\.10\.0 --env prod` again/);
    assert.equal((await h.state.getApproval(id))?.status, 'expired');
    assert.deepEqual(h.queue.jobs(), []);
    const upd = h.outbox.items.filter((i) => i.key === `approval:${id}`).at(-1)!;
    assert.deepEqual(buttonsOf(upd.message), []);
    const [entry] = await h.audit.latest(1);
    assert.deepEqual([entry?.action, entry?.outcome], ['approval.approve', 'refused']);
    assert.match((await h.click('bob', approve)).text, /already expired/);
  });

  it('a node added to the group after the request voids the approval', async () => {
    const h = harness();
    const { id, approve } = await request(h);
    const changed = structuredClone(h.fleet());
    changed.nodes.push({ ...changed.nodes[0]!, name: 'eth-4', rpc_url: 'http://127.0.0.1:8548' });
    h.setFleet(changed);
    const r = await h.click('bob', approve);
    assert.match(r.text, /the plan changed since it was requested/);
    assert.match(r.text, /run `\/chainops upgrade eth-devnet 7\.10\.0 --env prod` again/);
    assert.equal((await h.state.getApproval(id))?.status, 'expired');
    assert.deepEqual(h.queue.jobs(), []);
    // Asking again plans the four nodes and binds a new hash.
    const second = await request(h);
    assert.notEqual((await h.state.getApproval(second.id))?.planHash, (await h.state.getApproval(id))?.planHash);
    assert.match((await h.click('bob', second.approve)).text, /started up-/);
    assert.deepEqual(upgradeJob.parse(h.queue.jobs()[0]!.data).targets, ['eth-1', 'eth-2', 'eth-3', 'eth-4']);
  });

  it('a node that reaches the version meanwhile changes the plan too', async () => {
    const h = harness();
    const { approve } = await request(h);
    const snap = { ...(await h.deps.checkNow(['eth-2']))[0]!, version: '7.10.0' };
    await h.state.putSnapshots([snap]);
    assert.match((await h.click('bob', approve)).text, /the plan changed/);
    assert.deepEqual(h.queue.jobs(), []);
  });
});

describe('reject', () => {
  it('vetoes the request: no job, the message loses its buttons, approving later says rejected', async () => {
    const h = harness();
    const { id, approve } = await request(h);
    const r = await h.send('bob', `reject ${id} --reason "not during the sale"`);
    assert.match(r.text, /Rejected ap-000001 \(rejected\)/);
    const approval = await h.state.getApproval(id);
    assert.equal(approval?.status, 'rejected');
    assert.equal(approval?.rejectedBy, 'console:bob');
    const upd = h.outbox.items.filter((i) => i.key === `approval:${id}`).at(-1)!;
    assert.deepEqual(buttonsOf(upd.message), []);
    assert.match(allText(upd.message), /Rejected by console:bob/);
    assert.match(allText(upd.message), /reason: not during the sale/);
    assert.match((await h.click('alice', approve)).text, /already rejected/);
    assert.deepEqual(h.queue.jobs(), []);
  });
});

describe('environments, freezes and locks', () => {
  it('dev (required 0) enqueues directly with its own job message', async () => {
    const h = harness();
    const r = await h.send('carol', 'upgrade ltc-regtest 0.21.3');
    assert.deepEqual(await h.state.listApprovals(), []);
    const jobs = h.queue.jobs();
    assert.equal(jobs.length, 1);
    assert.match(jobs[0]!.id, /^up-[0-9a-z]+$/);
    const data = upgradeJob.parse(jobs[0]!.data);
    assert.deepEqual([data.env, data.group, data.version, data.targets], ['dev', 'ltc-regtest', '0.21.3', ['ltc-1', 'ltc-2']]);
    assert.deepEqual(data.approvedBy, []);
    assert.match(r.text, new RegExp(`upgrade dev/ltc-regtest — queued \\(${jobs[0]!.id}\\)`));
    assert.deepEqual(buttonsOf(r).map((b) => [b.actionId, b.value]), [['cancel', jobs[0]!.id]]);
    assert.ok(await h.state.getMessageRef(`job:${jobs[0]!.id}`));
  });

  it('a frozen environment refuses changes with the freeze reason, and approvals while frozen', async () => {
    const h = harness();
    const pending = await request(h);
    assert.match((await h.send('carol', 'freeze prod')).text, /needs the admin role/);
    const f = await h.send('alice', 'freeze prod --reason "release week"');
    assert.match(f.text, /prod is frozen by console:alice: release week/);

    const r = await h.send('carol', UPGRADE);
    assert.equal(r.severity, 'error');
    assert.match(r.text, /prod is frozen by console:alice \(release week\)/);
    assert.match(r.text, /\/chainops unfreeze prod/);
    assert.equal((await h.state.listApprovals()).length, 1, 'no new approval while frozen');
    const [entry] = await h.audit.latest(1);
    assert.equal(entry?.outcome, 'refused');

    // The request made before the freeze cannot be approved into a job while it lasts.
    const a = await h.click('bob', pending.approve);
    assert.match(a.text, /prod is frozen by console:alice \(release week\) — ap-000001 stays pending/);
    assert.equal((await h.state.getApproval(pending.id))?.status, 'pending');
    assert.deepEqual(h.queue.jobs(), []);

    // Other environments are not affected; after unfreeze prod takes changes again.
    await h.send('carol', 'upgrade ltc-regtest 0.21.3');
    assert.equal(h.queue.jobs().length, 1);
    assert.match((await h.send('alice', 'unfreeze prod')).text, /prod is open for changes again/);
    assert.match((await h.click('bob', pending.approve)).text, /started up-/);
    assert.equal(h.queue.jobs().length, 2);
  });

  it('a lock held by someone else refuses the change with the holder', async () => {
    const h = harness();
    assert.match((await h.send('bob', 'lock prod eth-devnet --reason maintenance --for 2h')).text, /Locked prod\/eth-devnet for 120m \(maintenance\)/);
    const r = await h.send('carol', UPGRADE);
    assert.equal(r.severity, 'error');
    assert.match(r.text, /prod\/eth-devnet is locked by console:bob \(maintenance\)/);
    assert.deepEqual(await h.state.listApprovals(), []);
    assert.match((await h.send('carol', 'lock prod eth-devnet')).text, /already locked by console:bob \(maintenance\)/);
    assert.match((await h.send('carol', 'unlock prod eth-devnet')).text, /only they or an admin can unlock it/);
    // The holder may change it, and the lease runs out on its own.
    assert.equal(buttonsOf(await h.send('bob', UPGRADE)).length, 2);
    h.tick(2 * 60 * MIN + 1);
    assert.equal(buttonsOf(await h.send('carol', UPGRADE)).length, 2);
  });
});

describe('read commands', () => {
  it('help lists what the asker may run', async () => {
    const h = harness();
    const viewer = await h.send('dave', 'help');
    const viewerVerbs = tableRows(viewer).map((r) => r[0]);
    assert.ok(viewerVerbs.includes('status'));
    assert.ok(!viewerVerbs.includes('upgrade'));
    assert.ok(!viewerVerbs.includes('approve'));
    assert.ok(!viewerVerbs.includes('freeze'));
    assert.doesNotMatch(viewer.text, /\bupgrade\b/);
    assert.equal(viewer.ephemeral, true);
    const admin = await h.send('alice', 'help');
    const adminVerbs = tableRows(admin).map((r) => r[0]);
    for (const v of ['freeze', 'unfreeze', 'upgrade', 'approve', 'status']) assert.ok(adminVerbs.includes(v), v);
    assert.match(admin.text, /freeze/);
    assert.match(allText(await h.send('dave', 'help upgrade')), /needs the operator role/);
  });

  it('audit shows the recorded entries newest first', async () => {
    const h = harness();
    const { id } = await request(h); // command + approval.request
    h.tick(MIN);
    await h.send('dave', `approve ${id}`); // refused
    h.tick(MIN);
    await h.send('bob', 'lock prod ltc-regtest'); // command
    h.tick(MIN);
    await h.send('alice', 'status'); // reads are not audited
    const r = await h.send('dave', 'audit');
    const rows = tableRows(r);
    assert.deepEqual(rows.map((row) => [row[1], row[2], row[3]]), [
      ['console:bob', 'command', 'ok'],
      ['console:dave', 'command', 'refused'],
      ['console:carol', 'approval.request', 'pending'],
      ['console:carol', 'command', 'ok'],
    ]);
    assert.equal(rows[0]![0], new Date(T0 + 2 * MIN).toISOString().replace(/\.\d{3}Z$/, 'Z'));
    assert.equal(rows[0]![4], '/chainops lock prod ltc-regtest');
    assert.match(rows[2]![4]!, new RegExp(`^${id} /chainops upgrade`));
    assert.deepEqual(tableRows(await h.send('dave', 'audit --limit 2')).length, 2);
  });

  it('jobs lists the job, and cancel removes the waiting job', async () => {
    const h = harness();
    const { approve } = await request(h);
    await h.click('bob', approve);
    const [job] = h.queue.jobs();
    assert.ok(job);
    h.tick(3 * MIN);
    const list = await h.send('dave', 'jobs');
    assert.deepEqual(tableRows(list).map((r) => r.slice(0, 4)), [[job.id, 'upgrade', 'waiting', '3m ago']]);
    assert.match(allText(await h.send('dave', `job ${job.id}`)), /waiting/);
    assert.match((await h.send('dave', `cancel ${job.id}`)).text, /needs the operator role/);
    assert.equal(h.queue.jobs().length, 1);
    const c = await h.send('carol', `cancel ${job.id}`);
    assert.match(c.text, new RegExp(`Cancelled ${job.id}; it will not run`));
    assert.deepEqual(h.queue.jobs(), []);
    assert.match(allText(await h.send('dave', 'jobs')), /No changes yet/);
    assert.match((await h.send('carol', `cancel ${job.id}`)).text, /could not be cancelled/);
    const [entry] = await h.audit.latest(1);
    assert.deepEqual([entry?.action, entry?.detail, entry?.outcome], ['job.cancel', job.id, 'refused']);
  });

  it('status checks unknown nodes over RPC once and reuses fresh snapshots', async () => {
    const h = harness();
    const r = await h.send('dave', 'status');
    assert.match(allText(r), /prod\/eth-devnet/);
    assert.deepEqual(h.checked, [['eth-1', 'eth-2', 'eth-3', 'ltc-1', 'ltc-2']]);
    await h.send('dave', 'status');
    assert.equal(h.checked.length, 1);
  });
});
