// Reads that show fleet data outside a command (Discord autocomplete, Slack App Home) answer
// nothing to someone with no role.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { answerAutocomplete } from '../../adapters/discord/discord-autocomplete.ts';
import type { Actor } from '../../src/chat/chat-event.ts';
import { fleetSchema } from '../../src/fleet/fleet.schema.ts';
import { autocomplete } from '../../src/pipeline/autocomplete.ts';
import { homeView } from '../../src/render/home.view.ts';
import { memoryCore, textOf } from '../chaos/lib/memory-core.ts';

const FLEET = fleetSchema.parse({
  version: 1,
  name: 'gating',
  environments: { prod: {} },
  groups: { 'eth-secret-group': { chain: 'ethereum', network: 'mainnet', client: 'geth', desired_version: '1.14.3', rpc: { kind: 'eth' } } },
  nodes: [{ name: 'eth-hidden-1', group: 'eth-secret-group', env: 'prod', rpc_url: 'http://127.0.0.1:1' }],
  roles: { viewer: { discord_users: ['100001'], slack: ['T01/UVIEW'] } },
  grants: [{ role: 'operator', envs: ['prod'], discord_roles: ['900002'] }],
});
const NOBODY: Actor = { platform: 'discord', id: '999999', roleIds: ['123'] };
const VIEWER: Actor = { platform: 'discord', id: '100001', roleIds: [] };
const GRANTED: Actor = { platform: 'discord', id: '555555', roleIds: ['900002'] };
const KINDS = ['group', 'node', 'target', 'env', 'version'] as const;

describe('read gating', () => {
  it('autocomplete: nothing for a user with no role, every kind; fleet names for a viewer or a scoped grant', async () => {
    const h = memoryCore(FLEET);
    for (const kind of KINDS) assert.deepEqual(await autocomplete(h.deps, kind, '', NOBODY), [], kind);
    assert.deepEqual(await autocomplete(h.deps, 'node', 'eth', VIEWER), ['eth-hidden-1']);
    assert.deepEqual(await autocomplete(h.deps, 'group', '', GRANTED), ['eth-secret-group']);
  });

  it('the Discord autocomplete answer is empty without an actor, and asks the source with the actor', async () => {
    // /chainops health target:<typing>, as Discord sends it (the subcommand holds the focused option).
    const options = [{ name: 'health', type: 1, options: [{ name: 'target', type: 3, value: 'eth', focused: true }] }];
    const seen: Actor[] = [];
    const source = async (_k: string, _p: string, a: Actor) => (seen.push(a), ['eth-hidden-1']);
    assert.deepEqual((await answerAutocomplete(options as never, source, pino({ level: 'silent' }))).data.choices, []);
    assert.equal(seen.length, 0, 'no actor: the source is not even asked');
    const answered = await answerAutocomplete(options as never, source, pino({ level: 'silent' }), VIEWER);
    assert.deepEqual(seen, [VIEWER]);
    assert.deepEqual(answered.data.choices, [{ name: 'eth-hidden-1', value: 'eth-hidden-1' }]);
  });

  it('Slack App Home: no fleet data for a user with no role', async () => {
    const h = memoryCore(FLEET);
    const none = textOf(await homeView(h.deps, { platform: 'slack', id: 'T01/UNOBODY', roleIds: [] }));
    assert.match(none, /no ChainOps role yet/);
    assert.doesNotMatch(none, /eth-secret-group|eth-hidden-1|gating/);
    const viewer = textOf(await homeView(h.deps, { platform: 'slack', id: 'T01/UVIEW', roleIds: [] }));
    assert.match(viewer, /eth-secret-group/);
  });
});
