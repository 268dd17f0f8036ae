// Scoped roles, linked identities and channel rules through the whole pipeline (createDispatch on
// in-memory ports), table-driven: role × environment × group × command, each refused with what is
// needed and nothing changed, or let through.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Actor, Conversation } from '../../src/chat/chat-event.ts';
import { fleetSchema, ROLES, type Fleet, type Role } from '../../src/fleet/fleet.schema.ts';
import { roleOf } from '../../src/policy/roles.ts';
import { countPeople } from '../../src/policy/identities.ts';
import { fromBlockAction, fromSlashCommand } from '../../adapters/slack/slack-events.ts';
import { buttonsOf, memoryCore, textOf, type Effects } from '../chaos/lib/memory-core.ts';

const FLEET: Fleet = fleetSchema.parse({
  version: 1,
  name: 'scoped',
  environments: {
    dev: { approval: { required: 0 } },
    staging: { approval: { required: 0 } },
    prod: { approval: { required: 2, self_approval: false } },
  },
  groups: {
    'eth-dev': { chain: 'ethereum', network: 'devnet', client: 'geth', desired_version: '1.14.3', rpc: { kind: 'eth' } },
    'eth-stg': { chain: 'ethereum', network: 'sepolia', client: 'geth', desired_version: '1.14.3', rpc: { kind: 'eth' } },
    'eth-prod': { chain: 'ethereum', network: 'mainnet', client: 'geth', desired_version: '1.14.3', rpc: { kind: 'eth' } },
    'ltc-prod': { chain: 'litecoin', network: 'mainnet', client: 'litecoind', desired_version: '0.21.2.1', rpc: { kind: 'bitcoin' } },
  },
  nodes: [
    { name: 'dev-1', group: 'eth-dev', env: 'dev', rpc_url: 'http://127.0.0.1:1/dev-1' },
    { name: 'stg-1', group: 'eth-stg', env: 'staging', rpc_url: 'http://127.0.0.1:1/stg-1' },
    { name: 'prd-1', group: 'eth-prod', env: 'prod', rpc_url: 'http://127.0.0.1:1/prd-1' },
    { name: 'ltc-1', group: 'ltc-prod', env: 'prod', rpc_url: 'http://127.0.0.1:1/ltc-1' },
  ],
  roles: { admin: { console: ['alice'] }, approver: { console: ['bob'], slack: ['T01/UBOB', 'T01/UCAROL'], discord_users: ['100005'] }, operator: { console: ['carol'] } },
  grants: [
    { role: 'operator', envs: ['dev', 'staging'], console: ['pat'], slack: ['T01/UPAT'] },
    { role: 'viewer', envs: ['prod'], console: ['pat'], slack: ['T01/UPAT'] },
    { role: 'operator', envs: ['prod'], groups: ['ltc-prod'], discord_users: ['100007'] },
    { role: 'approver', envs: ['prod'], console: ['amy'] },
    { role: 'approver', console: ['bert'] },
  ],
  identities: [
    { name: 'bob', console: ['bob'], slack: ['T01/UBOB'], discord: ['100005'] },
    { name: 'carol', console: ['carol'], slack: ['T01/UCAROL'] },
  ],
});

const console_ = (id: string): Actor => ({ platform: 'console', id, roleIds: [] });
const PAT = console_('pat');
const PAT_SLACK: Actor = { platform: 'slack', id: 'T01/UPAT', roleIds: [] };
const GINA: Actor = { platform: 'discord', id: '100007', roleIds: [] };
const AMY = console_('amy');

const PLACES = {
  dev: { env: 'dev', group: 'eth-dev', node: 'dev-1' },
  staging: { env: 'staging', group: 'eth-stg', node: 'stg-1' },
  'prod/eth': { env: 'prod', group: 'eth-prod', node: 'prd-1' },
  'prod/ltc': { env: 'prod', group: 'ltc-prod', node: 'ltc-1' },
} as const;
type Place = keyof typeof PLACES;

/** The role each person holds in each place, written down by hand (undefined: none). */
const EXPECTED: Array<[string, Actor, Record<Place, Role | undefined>]> = [
  ['pat (operator in dev+staging, viewer in prod)', PAT, { dev: 'operator', staging: 'operator', 'prod/eth': 'viewer', 'prod/ltc': 'viewer' }],
  ['pat on Slack (same grants)', PAT_SLACK, { dev: 'operator', staging: 'operator', 'prod/eth': 'viewer', 'prod/ltc': 'viewer' }],
  ['gina (operator in prod, ltc-prod only)', GINA, { dev: undefined, staging: undefined, 'prod/eth': undefined, 'prod/ltc': 'operator' }],
  ['amy (approver in prod)', AMY, { dev: undefined, staging: undefined, 'prod/eth': 'approver', 'prod/ltc': 'approver' }],
  ['carol (global operator: the old syntax)', console_('carol'), { dev: 'operator', staging: 'operator', 'prod/eth': 'operator', 'prod/ltc': 'operator' }],
  ['bert (unscoped grant = global)', console_('bert'), { dev: 'approver', staging: 'approver', 'prod/eth': 'approver', 'prod/ltc': 'approver' }],
  ['mallory (nothing)', console_('mallory'), { dev: undefined, staging: undefined, 'prod/eth': undefined, 'prod/ltc': undefined }],
];

/** Commands with the role they need, each scoped to a place (status: to the place's whole environment). */
const COMMANDS: Array<[Role, (p: (typeof PLACES)[Place]) => string]> = [
  ['viewer', (p) => `status --env ${p.env}`],
  ['viewer', (p) => `nodes ${p.group} --env ${p.env}`],
  ['viewer', (p) => `health ${p.node}`],
  ['operator', (p) => `upgrade ${p.group} 1.14.4 --env ${p.env}`],
  ['operator', (p) => `lock ${p.env} ${p.group}`],
  ['operator', (p) => `run diagnose ${p.node}`],
  ['operator', (p) => `silence ${p.node} 1h`],
  ['admin', (p) => `freeze ${p.env}`],
];

const NOTHING: Effects = { jobs: 0, approvals: [], locks: [], freezes: [], outbox: 0 };
const REFUSED = /needs the \w+ role|no ChainOps role/;
const rank = (r: Role) => ROLES.indexOf(r);

describe('scoped roles: role × environment × group × command', () => {
  it('roleOf gives each person the role written down for each place', () => {
    for (const [who, actor, byPlace] of EXPECTED) {
      for (const [place, p] of Object.entries(PLACES)) {
        assert.equal(roleOf(FLEET, actor, { env: p.env, group: p.group }), byPlace[place as Place], `${who} in ${place}`);
      }
    }
  });

  for (const [who, actor, byPlace] of EXPECTED) {
    it(`${who}: every command in every place is allowed exactly where the scoped role suffices`, async () => {
      for (const [place, p] of Object.entries(PLACES)) {
        for (const [needed, line] of COMMANDS) {
          const h = memoryCore(FLEET);
          const text = line(p);
          const replies = await h.send(actor, text);
          assert.equal(replies.length, 1, `${who}: ${text}`);
          const reply = textOf(replies[0]!);
          // A read over a whole environment: the best role in any of its groups.
          const role = text.startsWith('status')
            ? (Object.entries(PLACES).filter(([, q]) => q.env === p.env).map(([k]) => byPlace[k as Place]).filter((r): r is Role => r !== undefined).sort((a, b) => rank(b) - rank(a))[0])
            : byPlace[place as Place];
          const may = role !== undefined && rank(role) >= rank(needed);
          if (may) assert.doesNotMatch(reply, REFUSED, `${who} may run ${text} in ${place}`);
          else {
            assert.match(reply, REFUSED, `${who} may not run ${text} in ${place}`);
            assert.deepEqual(await h.effects(), NOTHING, `${who}: refused ${text} changed nothing`);
          }
        }
      }
    });
  }

  it('a read with no environment takes the best role anywhere; a change with no scope only global roles', async () => {
    const h = memoryCore(FLEET);
    assert.doesNotMatch(textOf((await h.send(GINA, 'status'))[0]!), REFUSED, 'gina may read the fleet status');
    assert.doesNotMatch(textOf((await h.send(GINA, 'jobs'))[0]!), REFUSED);
    assert.match(textOf((await h.send(PAT, 'cancel job-4f2a9c'))[0]!), /`cancel` is not tied to one environment, so it needs a role under `roles:`/);
  });

  it('help lists what the person may run somewhere', async () => {
    const h = memoryCore(FLEET);
    const help = textOf((await h.send(PAT, 'help'))[0]!);
    assert.match(help, /upgrade/);
    assert.doesNotMatch(help, /freeze/);
    assert.match(help, /You are operator in dev, staging; viewer in prod/);
  });

  it('approvals follow the scope: an approver in dev cannot approve prod, an approver in prod can', async () => {
    const h = memoryCore(FLEET);
    const asked = (await h.send(console_('carol'), 'upgrade eth-prod 1.14.4 --env prod'))[0]!;
    const id = buttonsOf(asked).find((b) => b.actionId === 'approve')!.value;
    const fleet = structuredClone(FLEET);
    fleet.grants.push({ role: 'approver', envs: ['dev'], console: ['dina'], slack: [], discord_users: [], discord_roles: [], telegram: [] });
    h.setFleet(fleet);
    assert.match(textOf((await h.send(console_('dina'), `approve ${id}`))[0]!), /needs the approver role|no ChainOps role in environment prod/);
    assert.match(textOf((await h.send(AMY, `approve ${id}`))[0]!), /Approved|pending/);
  });
});

describe('a dry run needs the role of the change itself', () => {
  it('its log and status need operator where it would act; a plain rollout is readable by a viewer', async () => {
    const h = memoryCore(FLEET);
    const rec = { id: 'up-dry0001', env: 'prod', group: 'eth-prod', dryRun: true };
    await h.deps.rollouts.save(rec as never);
    await h.deps.rollouts.save({ ...rec, id: 'up-real0001', dryRun: false } as never);
    for (const line of ['job up-dry0001 log', 'rollout status up-dry0001']) {
      assert.match(textOf((await h.send(PAT, line))[0]!), /needs the operator role; you are a viewer in environment prod/, line);
      assert.doesNotMatch(textOf((await h.send(console_('carol'), line))[0]!), REFUSED, line);
    }
    assert.doesNotMatch(textOf((await h.send(PAT, 'rollout status up-real0001'))[0]!), REFUSED);
  });
});

describe('linked identities: approvals counted per person', () => {
  const ask = async () => {
    const h = memoryCore(FLEET);
    const asked = (await h.send(console_('carol'), 'upgrade eth-prod 1.14.4 --env prod'))[0]!;
    const id = buttonsOf(asked).find((b) => b.actionId === 'approve')!.value;
    return { h, id };
  };
  const CASES: Array<{ name: string; approvers: Actor[]; last: RegExp; status: string; approvals: number }> = [
    { name: 'bob on console, then bob on Slack: counts once', approvers: [console_('bob'), { platform: 'slack', id: 'T01/UBOB', roleIds: [] }], last: /already approved .*linked identity/, status: 'pending', approvals: 1 },
    { name: 'bob on Discord, then bob on console: counts once', approvers: [{ platform: 'discord', id: '100005', roleIds: [] }, console_('bob')], last: /already approved .*linked identity/, status: 'pending', approvals: 1 },
    { name: "the requester's linked Slack id (an approver) cannot approve", approvers: [{ platform: 'slack', id: 'T01/UCAROL', roleIds: [] }], last: /you requested .*someone else must approve/, status: 'pending', approvals: 0 },
    { name: 'two different people: approved', approvers: [console_('bob'), AMY], last: /Approved/, status: 'approved', approvals: 2 },
  ];
  for (const c of CASES) {
    it(c.name, async () => {
      const { h, id } = await ask();
      let last = '';
      for (const a of c.approvers) last = textOf((await h.send(a, `approve ${id}`))[0]!);
      assert.match(last, c.last);
      const req = (await h.effects()).approvals.find((x) => x.id === id)!;
      assert.equal(req.status, c.status);
      assert.equal(req.approvals, c.approvals);
    });
  }

  it('Slack Enterprise Grid: ENTERPRISE/USER is one identity, and TEAM/USER role lists still match', () => {
    const fleet = structuredClone(FLEET);
    fleet.roles.operator!.slack.push('T02/UGRID');
    fleet.identities.push({ name: 'gus', slack: ['E01/UGRID'], discord: [], console: [], telegram: [] });
    const fromT2: Actor = { platform: 'slack', id: 'E01/UGRID', roleIds: [], aliases: ['T02/UGRID'] };
    const fromT3: Actor = { platform: 'slack', id: 'E01/UGRID', roleIds: [], aliases: ['T03/UGRID'] };
    assert.equal(roleOf(fleet, fromT2, {}), 'operator');
    assert.equal(roleOf(fleet, fromT3, {}), undefined, 'the alias is the workspace it came from');
  });

  it('Slack Enterprise Grid payloads from two workspaces resolve to one identity (slash command and button)', () => {
    const slash = fromSlashCommand({ command: '/chainops', text: 'status', team_id: 'T02', enterprise_id: 'E01', user_id: 'W0GUS', channel_id: 'C1', trigger_id: 't1' }).event.actor;
    const click = fromBlockAction({ type: 'block_actions', team: { id: 'T03' }, enterprise: { id: 'E01' }, user: { id: 'W0GUS', team_id: 'T03' }, channel: { id: 'C2' }, actions: [{ action_id: 'approve', value: 'ap-1', type: 'button' }] })!.event.actor;
    assert.equal(slash.id, 'E01/W0GUS');
    assert.equal(click.id, 'E01/W0GUS');
    assert.deepEqual([slash.aliases, click.aliases], [['T02/W0GUS'], ['T03/W0GUS']]);
    assert.equal(countPeople(FLEET, [`slack:${slash.id}`, `slack:${click.id}`]), 1, 'one person toward N approvals');
    const plain = fromSlashCommand({ command: '/chainops', text: 'status', team_id: 'T02', user_id: 'U0X', channel_id: 'C1', trigger_id: 't2' }).event.actor;
    assert.equal(plain.id, 'T02/U0X', 'outside Grid the id stays TEAM/USER');
  });
});

describe('channel rules per environment and command', () => {
  const fleet = structuredClone(FLEET);
  fleet.environments['prod']!.restrict = [{ commands: ['upgrade', 'run'], slack: ['C0PROD'], discord: [], console: ['ops-prod'], telegram: [] }];
  const from = (channelId: string): Conversation => ({ platform: 'console', channelId });
  const CASES: Array<[string, string, boolean]> = [
    ['upgrade eth-prod 1.14.4 --env prod', 'console', false],
    ['upgrade eth-prod 1.14.4 --env prod', 'ops-prod', true],
    ['run diagnose prd-1', 'console', false],
    ['upgrade eth-dev 1.14.4 --env dev', 'console', true],
    ['status --env prod', 'console', true],
  ];
  for (const [line, channel, ok] of CASES) {
    it(`${line} from ${channel}: ${ok ? 'allowed' : 'refused'}`, async () => {
      const h = memoryCore(fleet);
      const replies = await h.deliver({ kind: 'command', actor: console_('alice'), conversation: from(channel), text: line });
      const text = textOf(replies[0]!);
      if (ok) assert.doesNotMatch(text, /may only be run from/);
      else {
        assert.match(text, /may only be run from ops-prod — run it there/);
        assert.deepEqual(await h.effects(), NOTHING);
      }
    });
  }
});
