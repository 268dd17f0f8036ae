import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Actor } from '../../src/chat/chat-event.ts';
import type { Command } from '../../src/command/command.types.ts';
import { GRAMMAR, VERBS, type Verb } from '../../src/command/grammar.ts';
import { parseCommand } from '../../src/command/parse.ts';
import { fleetSchema, ROLES, type Role } from '../../src/fleet/fleet.schema.ts';
import { authorize, requiredRole } from '../../src/policy/authorize.ts';
import { roleOf } from '../../src/policy/roles.ts';

const fleet = fleetSchema.parse({
  version: 1,
  name: 'authz',
  environments: { prod: {} },
  groups: { eth: { chain: 'ethereum', network: 'devnet', client: 'geth', desired_version: '1.0.0', rpc: { kind: 'eth' } } },
  roles: {
    viewer: { slack: ['T01/UVIEW'], discord_users: ['100001'], discord_roles: ['900001'], console: ['vera'] },
    operator: { slack: ['T01/UOPER'], discord_users: ['100002'], discord_roles: ['900002'], console: ['carol'] },
    approver: { slack: ['T01/UAPPR'], discord_users: ['100003'], discord_roles: ['900003'], console: ['bob'] },
    admin: { slack: ['T01/UADMN'], discord_users: ['100004'], discord_roles: ['900004'], console: ['alice'] },
  },
});

const slack = (id: string): Actor => ({ platform: 'slack', id, roleIds: [] });
const discord = (id: string, roleIds: string[] = []): Actor => ({ platform: 'discord', id, roleIds });
const consoleUser = (id: string): Actor => ({ platform: 'console', id, roleIds: [] });

/** The least role per command, written out independently of the grammar so a grammar slip shows. */
const EXPECTED: Record<string, Role> = {
  help: 'viewer', status: 'viewer', nodes: 'viewer', health: 'viewer', drift: 'viewer', jobs: 'viewer', job: 'viewer',
  audit: 'viewer', alerts: 'viewer', 'rollout status': 'viewer', chart: 'viewer', releases: 'viewer', 'releases ignore': 'operator',
  upgrade: 'operator', provision: 'operator', decommission: 'operator', lock: 'operator', unlock: 'operator',
  cancel: 'operator', ack: 'operator', silence: 'operator', run: 'operator',
  'rollout pause': 'operator', 'rollout resume': 'operator', 'rollout abort': 'operator', 'rollout rollback': 'operator',
  approve: 'approver', reject: 'approver',
  freeze: 'admin', unfreeze: 'admin',
  'promotion status': 'viewer', 'promotion start': 'operator', 'promotion pause': 'operator', 'promotion resume': 'operator', 'promotion abort': 'operator',
  plan: 'operator', sync: 'operator', 'sync apply': 'admin',
};

/** One valid command line per entry of EXPECTED. */
const LINES: Record<string, string> = {
  help: 'help', status: 'status', nodes: 'nodes', health: 'health', drift: 'drift', jobs: 'jobs', job: 'job up-abcd',
  audit: 'audit', alerts: 'alerts', 'rollout status': 'rollout status', chart: 'chart eth-1 lag --since 2h',
  releases: 'releases eth', 'releases ignore': 'releases ignore eth 1.2.3',
  upgrade: 'upgrade eth 1.1.0', provision: 'provision eth', decommission: 'decommission eth-1', lock: 'lock prod eth',
  unlock: 'unlock prod eth', cancel: 'cancel up-abcd', ack: 'ack al-abcd', silence: 'silence eth 1h', run: 'run restart eth-1',
  'rollout pause': 'rollout pause', 'rollout resume': 'rollout resume', 'rollout abort': 'rollout abort up-abcd', 'rollout rollback': 'rollout rollback',
  approve: 'approve ap-abcd', reject: 'reject ap-abcd', freeze: 'freeze prod', unfreeze: 'unfreeze prod',
  plan: 'plan prod', sync: 'sync', 'sync apply': 'sync apply 0123456789ab',
  'promotion status': 'promotion status', 'promotion start': 'promotion start eth 1.1.0', 'promotion pause': 'promotion pause eth', 'promotion resume': 'promotion resume eth', 'promotion abort': 'promotion abort eth',
};

function command(line: string): Command {
  const r = parseCommand(line);
  assert.ok(r.ok, `${line}: ${r.ok ? '' : r.message}`);
  return r.command;
}

const RANK: Record<Role, number> = { viewer: 0, operator: 1, approver: 2, admin: 3 };

/** Each role as a person on each platform. */
const PEOPLE: Array<[Role, Actor[]]> = [
  ['viewer', [slack('T01/UVIEW'), discord('100001'), discord('555555', ['900001']), consoleUser('vera')]],
  ['operator', [slack('T01/UOPER'), discord('100002'), discord('555555', ['900002']), consoleUser('carol')]],
  ['approver', [slack('T01/UAPPR'), discord('100003'), discord('555555', ['900003']), consoleUser('bob')]],
  ['admin', [slack('T01/UADMN'), discord('100004'), discord('555555', ['900004']), consoleUser('alice')]],
];

describe('authorize: every command × every role', () => {
  it('the expectation table covers every verb of the grammar and agrees with it', () => {
    const verbs = new Set(Object.keys(EXPECTED).map((k) => k.split(' ')[0] as Verb));
    assert.deepEqual([...VERBS].filter((v) => !verbs.has(v)), []);
    for (const spec of GRAMMAR) {
      if (spec.verb === 'rollout' || spec.verb === 'promotion') continue; // per-action roles: listed by subverb
      assert.equal(spec.minRole, EXPECTED[spec.verb], `grammar minRole of ${spec.verb}`);
    }
  });

  for (const [name, needed] of Object.entries(EXPECTED)) {
    for (const [role, actors] of PEOPLE) {
      const allowed = RANK[role] >= RANK[needed];
      it(`${name} by ${role} → ${allowed ? 'allowed' : 'refused'}`, () => {
        const cmd = command(LINES[name]!);
        assert.equal(requiredRole(cmd), needed);
        for (const actor of actors) {
          const d = authorize(fleet, actor, cmd);
          assert.equal(d.ok, allowed, `${actor.platform}:${actor.id} [${actor.roleIds.join(',')}]`);
          if (d.ok) assert.equal(d.role, role);
          else {
            assert.match(d.message, new RegExp(`needs the ${needed} role; you are an? ${role}`));
            assert.match(d.message, /Ask an admin/);
          }
        }
      });
    }
    it(`${name} by an unknown user → refused with how to get a role`, () => {
      const cmd = command(LINES[name]!);
      const s = authorize(fleet, slack('T01/UNOBODY'), cmd);
      assert.equal(s.ok, false);
      assert.match(s.ok ? '' : s.message, /no ChainOps role yet.*Slack id `T01\/UNOBODY`/);
      const d = authorize(fleet, discord('777777', ['123456']), cmd);
      assert.equal(d.ok, false);
      assert.match(d.ok ? '' : d.message, /Discord user id `777777`/);
      const c = authorize(fleet, consoleUser('mallory'), cmd);
      assert.equal(c.ok, false);
      assert.match(c.ok ? '' : c.message, /console user name `mallory`/);
    });
  }

  it('rollout abort needs operator even though rollout status is for viewers', () => {
    assert.equal(authorize(fleet, consoleUser('vera'), command('rollout status')).ok, true);
    assert.equal(authorize(fleet, consoleUser('vera'), command('rollout abort up-abcd')).ok, false);
    assert.equal(authorize(fleet, consoleUser('carol'), command('rollout abort up-abcd')).ok, true);
    assert.equal(authorize(fleet, consoleUser('vera'), command('rollout ABORT')).ok, false, 'case of the action does not matter');
  });
});

describe('roleOf: identities', () => {
  it('Slack matches the whole TEAM/USER id, not the user part alone', () => {
    assert.equal(roleOf(fleet, slack('T01/UOPER')), 'operator');
    assert.equal(roleOf(fleet, slack('T99/UOPER')), undefined, 'same user id in another workspace');
    assert.equal(roleOf(fleet, slack('UOPER')), undefined);
    assert.equal(roleOf(fleet, slack('t01/uoper')), undefined, 'ids are case-sensitive');
  });

  it('Discord matches the user id or any of the member role ids, taking the highest', () => {
    assert.equal(roleOf(fleet, discord('100003')), 'approver');
    assert.equal(roleOf(fleet, discord('555555', ['900002'])), 'operator');
    assert.equal(roleOf(fleet, discord('100001', ['900004'])), 'admin', 'a role id can lift a viewer to admin');
    assert.equal(roleOf(fleet, discord('100004', ['900001'])), 'admin', 'a low role id does not lower an admin');
    assert.equal(roleOf(fleet, discord('555555', ['100004'])), undefined, 'a user id is not a role id');
    assert.equal(roleOf(fleet, discord('900004')), undefined, 'a role id is not a user id');
  });

  it('a Discord id listed for Slack or the console does not count, and vice versa', () => {
    assert.equal(roleOf(fleet, consoleUser('100004')), undefined);
    assert.equal(roleOf(fleet, slack('alice')), undefined);
    assert.equal(roleOf(fleet, discord('alice')), undefined);
  });

  it('console `*` gives everyone on the console that role, named users keep a higher one', () => {
    const open = fleetSchema.parse({
      version: 1,
      name: 'open',
      environments: { dev: {} },
      groups: {},
      roles: { viewer: { console: ['*'] }, admin: { console: ['alice'] } },
    });
    assert.equal(roleOf(open, consoleUser('anyone')), 'viewer');
    assert.equal(roleOf(open, consoleUser('alice')), 'admin');
    assert.equal(roleOf(open, slack('T01/UADMN')), undefined, '* is for the console only');
    assert.equal(roleOf(open, discord('100004')), undefined);
    assert.equal(authorize(open, consoleUser('anyone'), command('status')).ok, true);
    assert.equal(authorize(open, consoleUser('anyone'), command('upgrade eth 1.0.0')).ok, false);
  });

  it('no roles section means nobody may do anything', () => {
    const none = fleetSchema.parse({ version: 1, name: 'none', environments: { dev: {} }, groups: {} });
    for (const role of ROLES) assert.equal(none.roles[role], undefined);
    assert.equal(authorize(none, consoleUser('alice'), command('help')).ok, false);
  });
});
