// The authorisation matrix (issue #8, chaos item 6), table-driven and derived from the grammar:
// every command form × every role (and no role) × every environment × every kind of identity goes
// through the whole pipeline (createDispatch on in-memory ports). Every unauthorised case must be
// refused with the role it needs and change nothing; a verb added to the grammar joins the matrix
// on its own and fails the first test until its effect class is written down here.
// Then the approval cases: self-approval, expired approval, approval of a changed plan, and more.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Actor } from '../../src/chat/chat-event.ts';
import type { Message } from '../../src/chat/message.ts';
import { fleetSchema, ROLES, type Fleet, type Role } from '../../src/fleet/fleet.schema.ts';
import { buttonsOf, memoryCore, textOf, type Effects, type MemoryCore } from '../chaos/lib/memory-core.ts';
import { commandForms, sampleLine, type Place } from '../chaos/lib/grammar-forms.ts';

const MIN = 60_000;

const FLEET: Fleet = fleetSchema.parse({
  version: 1,
  name: 'authz-matrix',
  environments: {
    dev: { approval: { required: 0 } },
    prod: { approval: { required: 1, approver_role: 'approver', self_approval: false, expires: '30m' } },
    staging: { approval: { required: 1, self_approval: true } },
    vault: { approval: { required: 1, approver_role: 'admin' } },
    dual: { approval: { required: 2 } },
  },
  groups: {
    'ltc-regtest': { chain: 'litecoin', network: 'regtest', client: 'litecoind', desired_version: '0.21.2.1', rpc: { kind: 'bitcoin' }, terraform: { module: 'modules/node' } },
    'eth-devnet': { chain: 'ethereum', network: 'devnet', client: 'geth', desired_version: '1.14.3', rpc: { kind: 'eth' }, terraform: { module: 'modules/node' } },
    'eth-staging': { chain: 'ethereum', network: 'sepolia', client: 'geth', desired_version: '1.14.3', rpc: { kind: 'eth' }, terraform: { module: 'modules/node' } },
    'eth-vault': { chain: 'ethereum', network: 'mainnet', client: 'geth', desired_version: '1.14.3', rpc: { kind: 'eth' }, terraform: { module: 'modules/node' } },
    'eth-dual': { chain: 'ethereum', network: 'holesky', client: 'geth', desired_version: '1.14.3', rpc: { kind: 'eth' }, terraform: { module: 'modules/node' } },
  },
  nodes: [
    { name: 'ltc-1', group: 'ltc-regtest', env: 'dev', rpc_url: 'http://127.0.0.1:1/ltc-1' },
    { name: 'eth-1', group: 'eth-devnet', env: 'prod', rpc_url: 'http://127.0.0.1:1/eth-1' },
    { name: 'eth-2', group: 'eth-devnet', env: 'prod', rpc_url: 'http://127.0.0.1:1/eth-2' },
    { name: 'stg-1', group: 'eth-staging', env: 'staging', rpc_url: 'http://127.0.0.1:1/stg-1' },
    { name: 'vlt-1', group: 'eth-vault', env: 'vault', rpc_url: 'http://127.0.0.1:1/vlt-1' },
    { name: 'dul-1', group: 'eth-dual', env: 'dual', rpc_url: 'http://127.0.0.1:1/dul-1' },
  ],
  rollout: { waves: [1, '100%'] },
  roles: {
    viewer: { slack: ['T01/UVIEW'], discord_users: ['100001'], discord_roles: ['900001'], console: ['vera'] },
    operator: { slack: ['T01/UOPER', 'T01/UOPER2'], discord_users: ['100002'], discord_roles: ['900002'], console: ['carol', 'cody'] },
    approver: { slack: ['T01/UAPPR'], discord_users: ['100003'], discord_roles: ['900003'], console: ['bob', 'dave'] },
    admin: { slack: ['T01/UADMN'], discord_users: ['100004'], discord_roles: ['900004'], console: ['alice'] },
  },
});

const PLACES: Record<string, Place> = {
  dev: { env: 'dev', group: 'ltc-regtest', node: 'ltc-1' },
  prod: { env: 'prod', group: 'eth-devnet', node: 'eth-1' },
  staging: { env: 'staging', group: 'eth-staging', node: 'stg-1' },
  vault: { env: 'vault', group: 'eth-vault', node: 'vlt-1' },
  dual: { env: 'dual', group: 'eth-dual', node: 'dul-1' },
};

/**
 * What each command form does, written down independently of the grammar's `minRole`: reading
 * what ChainOps knows needs a viewer; reaching into the infrastructure to look (Terraform plan,
 * a fleet-file preview from git) or changing the fleet needs an operator; deciding on someone's
 * change an approver; governing an environment or the fleet file itself an admin.
 */
type Effect = 'read' | 'inspect' | 'change' | 'decide' | 'govern';
const EFFECT: Record<string, Effect> = {
  help: 'read', status: 'read', nodes: 'read', health: 'read', drift: 'read', jobs: 'read', job: 'read', 'job log': 'read', audit: 'read', alerts: 'read',
  'rollout status': 'read', 'status forks': 'read',
  'promotion status': 'read', 'promotion start': 'change', 'promotion pause': 'change', 'promotion resume': 'change', 'promotion abort': 'change',
  chart: 'read', 'chart head': 'read', 'chart lag': 'read', 'chart head_age': 'read', 'chart peers': 'read', 'chart latency': 'read',
  releases: 'read', 'releases list': 'read', 'releases ignore': 'change',
  plan: 'inspect', sync: 'inspect', 'sync preview': 'inspect',
  upgrade: 'change', provision: 'change', decommission: 'change', lock: 'change', unlock: 'change', cancel: 'change', ack: 'change', silence: 'change',
  'rollout pause': 'change', 'rollout resume': 'change', 'rollout abort': 'change', 'rollout rollback': 'change', 'rollout retry': 'change', run: 'change',
  approve: 'decide', reject: 'decide',
  freeze: 'govern', unfreeze: 'govern', 'sync apply': 'govern',
};
const FLOOR: Record<Effect, Role> = { read: 'viewer', inspect: 'operator', change: 'operator', decide: 'approver', govern: 'admin' };
const RANK = (r: Role) => ROLES.indexOf(r);

/** Each role as every kind of identity the platforms have; `none` holds no role at all. */
const PEOPLE: Array<[Role | 'none', Actor[]]> = [
  ['none', [{ platform: 'slack', id: 'T01/UNOBODY', roleIds: [] }, { platform: 'slack', id: 'T99/UADMN', roleIds: [] }, { platform: 'discord', id: '777777', roleIds: ['123456'] }, { platform: 'console', id: 'mallory', roleIds: [] }]],
  ['viewer', [{ platform: 'slack', id: 'T01/UVIEW', roleIds: [] }, { platform: 'discord', id: '100001', roleIds: [] }, { platform: 'discord', id: '555555', roleIds: ['900001'] }, { platform: 'console', id: 'vera', roleIds: [] }]],
  ['operator', [{ platform: 'slack', id: 'T01/UOPER', roleIds: [] }, { platform: 'discord', id: '100002', roleIds: [] }, { platform: 'discord', id: '555555', roleIds: ['900002'] }, { platform: 'console', id: 'carol', roleIds: [] }]],
  ['approver', [{ platform: 'slack', id: 'T01/UAPPR', roleIds: [] }, { platform: 'discord', id: '100003', roleIds: [] }, { platform: 'discord', id: '555555', roleIds: ['900003'] }, { platform: 'console', id: 'bob', roleIds: [] }]],
  ['admin', [{ platform: 'slack', id: 'T01/UADMN', roleIds: [] }, { platform: 'discord', id: '100004', roleIds: [] }, { platform: 'discord', id: '555555', roleIds: ['900004'] }, { platform: 'console', id: 'alice', roleIds: [] }]],
];

const NOTHING: Effects = { jobs: 0, approvals: [], locks: [], freezes: [], outbox: 0 };
const ROLE_REFUSAL = /needs the (viewer|operator|approver|admin) role; you are an? \w+|you have no ChainOps role yet/;
const CHANGE_VERBS = new Set(['upgrade', 'provision', 'decommission']);

function one(replies: Message[], where: string): Message {
  assert.equal(replies.length, 1, `${where}: expected exactly one reply, got ${replies.map((r) => r.text).join(' | ') || 'none'}`);
  return replies[0]!;
}

describe('authorisation matrix: every command form × role × environment × identity', () => {
  const forms = commandForms();

  it('every form the grammar has is classified (a new verb fails here until its effect is written down)', () => {
    const missing = forms.map((f) => f.name).filter((n) => !(n in EFFECT));
    assert.deepEqual(missing, [], `classify these new command forms in EFFECT (read/inspect/change/decide/govern): ${missing.join(', ')}`);
  });

  it('a form a viewer may run really changes nothing, even when an admin runs it in every environment', async () => {
    for (const form of forms.filter((f) => EFFECT[f.name] === 'read')) {
      for (const place of Object.values(PLACES)) {
        const h = memoryCore(FLEET);
        const line = sampleLine(form, place);
        one(await h.send(PEOPLE[4]![1][3]!, line), line);
        assert.deepEqual(await h.effects(), NOTHING, `${line} (read-only) changed something`);
      }
    }
  });

  for (const form of forms) {
    const needed = FLOOR[EFFECT[form.name] ?? 'govern'];
    it(`${form.name}: refused below ${needed} in every environment, nothing changed; allowed from ${needed} up`, async () => {
      let refused = 0;
      let allowed = 0;
      for (const place of Object.values(PLACES)) {
        const line = sampleLine(form, place);
        for (const [role, actors] of PEOPLE) {
          const may = role !== 'none' && RANK(role) >= RANK(needed);
          for (const actor of actors) {
            const where = `${line} as ${role} ${actor.platform}:${actor.id}[${actor.roleIds.join(',')}]`;
            const h = memoryCore(FLEET);
            const reply = one(await h.send(actor, line), where);
            assert.deepEqual(h.errors, [], `${where}: internal error`);
            const effects = await h.effects();
            if (!may) {
              refused++;
              assert.equal(reply.severity, 'error', `${where}: not refused: ${reply.text}`);
              assert.equal(reply.ephemeral, true, `${where}: a refusal is shown to the asker only`);
              assert.match(reply.text, ROLE_REFUSAL, where);
              if (role !== 'none') assert.match(reply.text, new RegExp(`needs the ${needed} role; you are an? ${role}`), where);
              assert.deepEqual(effects, NOTHING, `${where}: a refused command changed something`);
              const [last] = await h.audit.latest(1);
              assert.equal(last?.outcome, 'refused', `${where}: the refusal is audited`);
              continue;
            }
            allowed++;
            assert.doesNotMatch(reply.text, ROLE_REFUSAL, `${where}: refused although allowed`);
            if (form.verb === 'provision' || form.verb === 'decommission') {
              // Terraform plans in a worker first: the request queues the plan job, and the job asks
              // for approval (bound to the saved plan's hash) where the environment needs it.
              assert.equal(effects.jobs, 1, `${where}: the plan job is queued`);
              assert.equal(effects.approvals.length, 0, `${where}: no approval before there is a plan`);
            } else if (CHANGE_VERBS.has(form.verb)) {
              // An allowed change still follows the environment's approval policy.
              const needsApproval = FLEET.environments[place.env]!.approval.required > 0;
              assert.equal(effects.jobs, needsApproval ? 0 : 1, `${where}: jobs queued (${needsApproval ? 'needs approval first' : 'no approval needed'})`);
              assert.equal(effects.approvals.length, needsApproval ? 1 : 0, `${where}: approval requests`);
            }
          }
        }
      }
      assert.ok(refused > 0 || needed === 'viewer', 'cells refused');
      assert.ok(allowed > 0, 'cells allowed');
    });
  }
});

// ── Approvals ────────────────────────────────────────────────────────────────────────────────
const who = (id: string): Actor => ({ platform: 'console', id, roleIds: [] });

type Step =
  | { as: string; request: string }
  | { as: string; approve: 'text' | 'button' }
  | { as: string; reject: true }
  | { as: string; say: string }
  | { tick: number }
  | { editFleet: (f: Fleet) => void }
  | { running: [string, string] };

interface Case {
  name: string;
  steps: Step[];
  /** Jobs queued at the end. */
  jobs: number;
  /** The approval's final status. */
  status: string;
  /** The last reply. */
  last: RegExp;
}

const UPGRADE_PROD = 'upgrade eth-devnet 9.9.9 --env prod';
const addNode = (f: Fleet) => void f.nodes.push({ ...f.nodes.find((n) => n.name === 'eth-2')!, name: 'eth-3', rpc_url: 'http://127.0.0.1:1/eth-3' });

const CASES: Case[] = [
  { name: 'self-approval (the requester holds the approver role; self_approval off)', steps: [{ as: 'bob', request: UPGRADE_PROD }, { as: 'bob', approve: 'button' }], jobs: 0, status: 'pending', last: /you requested ap-\w+, so someone else must approve it/ },
  { name: 'self-approval typed as a command', steps: [{ as: 'bob', request: UPGRADE_PROD }, { as: 'bob', approve: 'text' }], jobs: 0, status: 'pending', last: /someone else must approve/ },
  { name: 'the requesting operator approves their own change', steps: [{ as: 'carol', request: UPGRADE_PROD }, { as: 'carol', approve: 'button' }], jobs: 0, status: 'pending', last: /needs the approver role; you are an operator/ },
  { name: 'another operator approves', steps: [{ as: 'carol', request: UPGRADE_PROD }, { as: 'cody', approve: 'button' }], jobs: 0, status: 'pending', last: /needs the approver role; you are an operator/ },
  { name: 'a viewer approves', steps: [{ as: 'carol', request: UPGRADE_PROD }, { as: 'vera', approve: 'text' }], jobs: 0, status: 'pending', last: /needs the approver role; you are a viewer/ },
  { name: 'someone with no role approves', steps: [{ as: 'carol', request: UPGRADE_PROD }, { as: 'mallory', approve: 'button' }], jobs: 0, status: 'pending', last: /no ChainOps role yet/ },
  { name: 'expired approval (31 minutes of a 30-minute window)', steps: [{ as: 'carol', request: UPGRADE_PROD }, { tick: 31 * MIN }, { as: 'bob', approve: 'button' }], jobs: 0, status: 'expired', last: /expired after 30m/ },
  { name: 'approval after expiry, then again', steps: [{ as: 'carol', request: UPGRADE_PROD }, { tick: 31 * MIN }, { as: 'bob', approve: 'button' }, { as: 'dave', approve: 'text' }], jobs: 0, status: 'expired', last: /already expired/ },
  { name: 'changed plan: a node joined the group', steps: [{ as: 'carol', request: UPGRADE_PROD }, { editFleet: addNode }, { as: 'bob', approve: 'button' }], jobs: 0, status: 'expired', last: /plan changed/ },
  { name: 'changed plan: a node reached the version meanwhile', steps: [{ as: 'carol', request: UPGRADE_PROD }, { running: ['eth-2', '9.9.9'] }, { as: 'bob', approve: 'text' }], jobs: 0, status: 'expired', last: /plan changed/ },
  { name: 'changed plan: the fleet\'s default waves changed', steps: [{ as: 'carol', request: UPGRADE_PROD }, { editFleet: (f) => void (f.rollout.waves = ['100%']) }, { as: 'bob', approve: 'button' }], jobs: 0, status: 'expired', last: /plan changed/ },
  { name: 'changed plan: the group\'s playbook changed', steps: [{ as: 'carol', request: UPGRADE_PROD }, { editFleet: (f) => void (f.groups['eth-devnet']!.playbook = 'other.yml') }, { as: 'bob', approve: 'button' }], jobs: 0, status: 'expired', last: /plan changed/ },
  { name: 'changed plan: the group was removed', steps: [{ as: 'carol', request: UPGRADE_PROD }, { editFleet: (f) => { delete f.groups['eth-devnet']; f.nodes = f.nodes.filter((n) => n.group !== 'eth-devnet'); } }, { as: 'bob', approve: 'button' }], jobs: 0, status: 'expired', last: /plan changed/ },
  { name: 'approval after a rejection', steps: [{ as: 'carol', request: UPGRADE_PROD }, { as: 'dave', reject: true }, { as: 'bob', approve: 'button' }], jobs: 0, status: 'rejected', last: /already rejected/ },
  { name: 'approval while the environment is frozen', steps: [{ as: 'carol', request: UPGRADE_PROD }, { as: 'alice', say: 'freeze prod --reason incident' }, { as: 'bob', approve: 'button' }], jobs: 0, status: 'pending', last: /prod is frozen/ },
  { name: 'an approver where the environment wants an admin', steps: [{ as: 'carol', request: 'upgrade eth-vault 9.9.9 --env vault' }, { as: 'bob', approve: 'button' }], jobs: 0, status: 'pending', last: /needs the admin role; you are approver/ },
  { name: 'one approver twice where two are required', steps: [{ as: 'carol', request: 'upgrade eth-dual 9.9.9 --env dual' }, { as: 'bob', approve: 'button' }, { as: 'bob', approve: 'text' }], jobs: 0, status: 'pending', last: /you already approved/ },
  { name: 'the requester adds the second approval where two are required', steps: [{ as: 'bob', request: 'upgrade eth-dual 9.9.9 --env dual' }, { as: 'dave', approve: 'button' }, { as: 'bob', approve: 'button' }], jobs: 0, status: 'pending', last: /someone else must approve/ },
  { name: 'a viewer rejects someone else\'s request', steps: [{ as: 'carol', request: UPGRADE_PROD }, { as: 'vera', reject: true }], jobs: 0, status: 'pending', last: /needs the approver role/ },
  // Controls: the same paths with the right people go through, so the refusals above are not accidents.
  { name: 'control: another approver approves', steps: [{ as: 'carol', request: UPGRADE_PROD }, { as: 'bob', approve: 'button' }], jobs: 1, status: 'approved', last: /Approved ap-\w+; started up-/ },
  { name: 'control: an admin approves', steps: [{ as: 'carol', request: UPGRADE_PROD }, { as: 'alice', approve: 'text' }], jobs: 1, status: 'approved', last: /Approved/ },
  { name: 'control: self-approval where the environment allows it', steps: [{ as: 'bob', request: 'upgrade eth-staging 9.9.9 --env staging' }, { as: 'bob', approve: 'button' }], jobs: 1, status: 'approved', last: /Approved/ },
  { name: 'control: two different approvers where two are required', steps: [{ as: 'carol', request: 'upgrade eth-dual 9.9.9 --env dual' }, { as: 'bob', approve: 'button' }, { as: 'dave', approve: 'text' }], jobs: 1, status: 'approved', last: /Approved/ },
  { name: 'control: a second approval after the change started adds nothing', steps: [{ as: 'carol', request: UPGRADE_PROD }, { as: 'bob', approve: 'button' }, { as: 'dave', approve: 'button' }], jobs: 1, status: 'approved', last: /already approved/ },
];

async function runCase(h: MemoryCore, c: Case): Promise<{ last: Message; id: string }> {
  let id = '';
  let last: Message | undefined;
  for (const step of c.steps) {
    if ('tick' in step) h.tick(step.tick);
    else if ('editFleet' in step) {
      const f = structuredClone(h.fleet());
      step.editFleet(f);
      h.setFleet(f);
    } else if ('running' in step) await h.setRunning(...step.running);
    else if ('request' in step) {
      last = one(await h.send(who(step.as), step.request), step.request);
      const approve = buttonsOf(last).find((b) => b.actionId === 'approve');
      assert.ok(approve, `no Approve button on the request: ${textOf(last)}`);
      id = approve.value;
    } else if ('approve' in step) {
      last = one(step.approve === 'button' ? await h.click(who(step.as), 'approve', id) : await h.send(who(step.as), `approve ${id}`), `approve ${id} as ${step.as}`);
    } else if ('reject' in step) last = one(await h.click(who(step.as), 'reject', id), `reject ${id} as ${step.as}`);
    else last = one(await h.send(who(step.as), step.say), step.say);
  }
  return { last: last!, id };
}

describe('approval matrix: who may approve what, and when', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const h = memoryCore(FLEET);
      const { last, id } = await runCase(h, c);
      assert.match(last.text, c.last, `last reply: ${last.text}`);
      assert.equal(h.queue.jobs().length, c.jobs, 'jobs queued');
      assert.equal((await h.state.getApproval(id))?.status, c.status, 'approval status');
      assert.deepEqual(h.errors, [], 'internal errors');
      // A refusal (as opposed to a note such as "already rejected; nothing changed") is audited.
      if (c.jobs === 0 && last.severity === 'error') assert.ok((await h.audit.latest(50)).some((e) => e.outcome === 'refused'), 'the refusal is audited');
    });
  }
});
