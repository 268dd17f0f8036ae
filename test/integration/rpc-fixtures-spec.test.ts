import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { createCheckers } from '../../adapters/rpc/checker-registry.ts';
import { fleetSchema, type FleetNode } from '../../src/fleet/fleet.schema.ts';
import { assessFleet, type NodeStatus } from '../../src/health/fleet-health.ts';
import { restFixtureOf, rpcFixtureOf, serveJsonRpc, serveRest, type RestFixture, type RpcFixture } from '../fixtures/rpc/fixture-server.ts';
import { BEACON, COMETBFT, SOLANA } from '../fixtures/rpc/spec-schemas.ts';

// Every recorded answer in test/fixtures/rpc is checked against the shapes of the official API
// definitions (spec-schemas.ts cites them); a fixture labelled "Deliberately malformed" must break
// them. Then each fixture is served to the real checker and the fleet's verdict on it is asserted:
// what a node answering exactly this would be called.
const KINDS = { beacon: 'beacon', cometbft: 'cometbft', solana: 'solana' } as const;
type Kind = keyof typeof KINDS;

/** The verdict each fixture must get, with a reason that says why. */
const VERDICTS: Record<string, { status: NodeStatus; reason?: RegExp; version?: string }> = {
  'beacon/healthy': { status: 'healthy', version: '5.1.3' },
  'beacon/el-offline': { status: 'degraded', reason: /execution client offline \(el_offline\)/, version: '5.0.3' },
  'beacon/syncing': { status: 'degraded', reason: /^optimistic: the head is not yet verified/, version: '24.4.0' },
  'beacon/not-ready': { status: 'down', reason: /answered HTTP 503/ },
  'beacon/malformed': { status: 'degraded', reason: /no head block reported/ },
  'cometbft/healthy': { status: 'healthy', version: '0.37.6' },
  'cometbft/catching-up': { status: 'degraded', reason: /^syncing/ },
  'cometbft/status-error': { status: 'degraded', reason: /no head block reported/ },
  'cometbft/malformed': { status: 'degraded', reason: /no head block reported/ },
  'solana/healthy': { status: 'healthy', version: '2.0.15' },
  'solana/feature-set-null': { status: 'healthy', version: '2.1.6' },
  'solana/behind': { status: 'degraded', reason: /^syncing/ },
  'solana/unhealthy': { status: 'degraded', reason: /^syncing/ },
  'solana/not-solana': { status: 'down' },
  'solana/malformed': { status: 'degraded', reason: /no head block reported/ },
};

const dir = new URL('../fixtures/rpc/', import.meta.url);
const fixtures = (Object.keys(KINDS) as Kind[]).flatMap((k) => readdirSync(new URL(`${k}/`, dir)).filter((f) => f.endsWith('.json')).map((f) => `${k}/${f.slice(0, -5)}`));

/** What in a fixture breaks the spec: `GET /status 200: result.sync_info.latest_block_height: …`. */
function violations(kind: Kind, fixture: RestFixture | RpcFixture): string[] {
  const out: string[] = [];
  if ('routes' in fixture) {
    const table = kind === 'beacon' ? BEACON : COMETBFT;
    for (const [route, answer] of Object.entries(fixture.routes)) {
      const schema = table[route]?.[answer.status];
      if (!schema) {
        out.push(`${route} ${answer.status}: ${table[route] ? 'status not documented' : 'route not in the spec'}`);
        continue;
      }
      const body = answer.raw !== undefined ? answer.raw : answer.body;
      const r = schema.safeParse(body);
      if (!r.success) out.push(`${route} ${answer.status}: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    }
  } else {
    for (const [method, answer] of Object.entries(fixture.methods)) {
      const schema = SOLANA[method];
      const r = schema?.safeParse(answer);
      if (!schema) out.push(`${method}: method not in the spec table`);
      else if (!r!.success) out.push(`${method}: ${r!.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    }
  }
  return out;
}

const checkers = createCheckers();
after(() => checkers.close());

describe('every RPC fixture against the official API definitions', () => {
  it('covers every fixture file with an expected verdict', () => {
    assert.deepEqual(fixtures.filter((f) => !VERDICTS[f]), [], 'a fixture without an expected verdict');
    assert.ok(fixtures.length >= 15);
  });

  for (const name of fixtures) {
    const kind = name.split('/')[0] as Kind;
    it(`${name}: spec-literal (or labelled malformed), and judged ${VERDICTS[name]?.status}`, async () => {
      const fixture = kind === 'solana' ? await rpcFixtureOf(name) : await restFixtureOf(name);
      const broken = violations(kind, fixture);
      if (fixture.description.startsWith('Deliberately malformed')) assert.ok(broken.length > 0, `${name} says it is malformed but fits the spec`);
      else assert.deepEqual(broken, [], `${name} is not spec-literal`);

      const server = 'routes' in fixture ? await serveRest(fixture) : await serveJsonRpc(fixture);
      try {
        const fleet = fleetSchema.parse({
          version: 1,
          name: 'fixtures',
          environments: { prod: { thresholds: { max_lag_blocks: 5, max_head_age: '1d', min_peers: 0 } } },
          groups: { g: { chain: 'chain', network: 'net', client: 'any', desired_version: VERDICTS[name]!.version ?? '0.0.1', rpc: { kind: KINDS[kind] } } },
          nodes: [{ name: 'n-1', group: 'g', env: 'prod', rpc_url: server.url }],
        });
        const snap = await checkers(KINDS[kind]).check(fleet.nodes[0] as FleetNode, fleet.groups['g']!, { timeoutMs: 3_000 });
        const verdict = assessFleet(fleet, [snap], (snap.headTime ?? Date.now()) + 1_000).nodes[0]!;
        const expected = VERDICTS[name]!;
        assert.equal(verdict.status, expected.status, `${name}: ${verdict.reasons.join('; ')}`);
        if (expected.reason) assert.ok(verdict.reasons.some((r) => expected.reason!.test(r)), `${name}: ${verdict.reasons.join('; ')}`);
        if (expected.version) assert.equal(snap.version, expected.version);
      } finally {
        await server.close();
      }
    });
  }
});
