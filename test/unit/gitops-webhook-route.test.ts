import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { MemoryGitopsLedger } from '../../adapters/gitops/gitops-ledger.memory.ts';
import { gitopsWebhookRoute } from '../../adapters/gitops/gitops-webhook.route.ts';
import { MemoryAuditLog } from '../../adapters/memory/memory-audit.log.ts';

const SECRET = 'route-test-secret-0123456789abcdef';

/** The route's handler against an in-memory request and response: resolves with the status once answered. */
function deliver(route: ReturnType<typeof gitopsWebhookRoute>, from: string, headers: Record<string, string>, body: string): Promise<number> {
  const req = Object.assign(Readable.from([Buffer.from(body)]), { headers, socket: { remoteAddress: from } }) as unknown as IncomingMessage;
  return new Promise((resolve) => {
    const res = { headersSent: false, writeHead: (status: number) => ((res.headersSent = true), { end: () => resolve(status) }) };
    route.handler(req, res as unknown as ServerResponse);
  });
}

function setup(opts: { tally?: () => Promise<number> } = {}) {
  let now = 1_000_000;
  const clock = { now: () => now };
  const audit = new MemoryAuditLog();
  const warnings: string[] = [];
  const errors: string[] = [];
  const logger = { info() {}, debug() {}, warn: (_: unknown, m: string) => void warnings.push(m), error: (_: unknown, m: string) => void errors.push(m) };
  const ledger = new MemoryGitopsLedger(clock);
  if (opts.tally) ledger.tallyRefusal = opts.tally;
  const pushes: string[] = [];
  const route = gitopsWebhookRoute({ secret: SECRET, followedRef: 'main', onPush: (w) => void pushes.push(w), audit, ledger, clock, logger });
  return { route, audit, warnings, errors, pushes, advance: (ms: number) => void (now += ms) };
}

const body = JSON.stringify({ ref: 'refs/heads/main', after: 'a'.repeat(40) });
const forged = { 'x-github-event': 'push', 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` };
const refusals = async (audit: MemoryAuditLog) => (await audit.latest(1000)).filter((e) => e.action === 'gitops.webhook' && e.outcome === 'refused');

test('a flood of forged deliveries is one audit entry and one log line per address per minute, the next carrying the count', async () => {
  const s = setup();
  for (let i = 0; i < 50; i++) assert.equal(await deliver(s.route, '203.0.113.7', forged, body), 401);
  for (let i = 0; i < 3; i++) assert.equal(await deliver(s.route, '198.51.100.2', { 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': 'guess' }, body), 401);
  let entries = await refusals(s.audit);
  assert.deepEqual(entries.map((e) => e.detail).sort(), [
    'refused from 198.51.100.2: bad or missing X-Gitlab-Token',
    'refused from 203.0.113.7: bad or missing X-Hub-Signature-256',
  ]);
  assert.equal(s.warnings.length, 2);
  s.advance(30_000);
  assert.equal(await deliver(s.route, '203.0.113.7', forged, body), 401);
  assert.equal((await refusals(s.audit)).length, 2, 'still within the minute');
  s.advance(30_000);
  assert.equal(await deliver(s.route, '203.0.113.7', {}, body), 401);
  entries = await refusals(s.audit);
  assert.equal(entries.length, 3);
  assert.equal(entries[0]!.detail, 'refused from 203.0.113.7: no X-Hub-Signature-256 or X-Gitlab-Token (51 refusals from this address since its last entry)');
  assert.match(s.warnings.at(-1)!, /51 refusals from this address/);
  assert.deepEqual(s.pushes, [], 'nothing forged was dispatched');
  // A genuine push is not held back by the flood: accepted and audited as usual.
  const sig = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
  assert.equal(await deliver(s.route, '203.0.113.7', { 'x-github-event': 'push', 'x-hub-signature-256': sig }, body), 202);
  assert.equal(s.pushes.length, 1);
  assert.match((await s.audit.latest(1))[0]!.detail, /github push of aaaaaaaaaaaa to refs\/heads\/main from 203\.0\.113\.7 accepted/);
});

test('a genuine push replayed with its delivery id is refused with 409 and not dispatched; a new delivery id is a new push', async () => {
  const s = setup();
  const sig = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
  const headers = { 'x-github-event': 'push', 'x-hub-signature-256': sig, 'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958' };
  assert.equal(await deliver(s.route, '192.0.2.1', headers, body), 202);
  for (let i = 0; i < 5; i++) assert.equal(await deliver(s.route, '198.51.100.66', headers, body), 409);
  const gitlab = { 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': SECRET, 'x-gitlab-event-uuid': '13792a34-cac6-4fda-95a8-c58e00a3954e' };
  assert.equal(await deliver(s.route, '192.0.2.1', gitlab, body), 202);
  assert.equal(await deliver(s.route, '192.0.2.1', gitlab, body), 409);
  assert.equal(await deliver(s.route, '192.0.2.1', { ...headers, 'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0959' }, body), 202);
  assert.equal(s.pushes.length, 3);
  const entries = await refusals(s.audit);
  assert.deepEqual(entries.map((e) => e.detail), [
    'refused from 192.0.2.1: gitlab delivery 13792a34-cac6-4fda-95a8-c58e00a3954e was already received (a replay)',
    'refused from 198.51.100.66: github delivery 72d3162e-cc78-11e3-81ab-4c9367dc0958 was already received (a replay)',
  ]);
});

test('oversized deliveries are counted with the refusals of their address', async () => {
  const s = setup();
  const big = 'x'.repeat(1024 * 1024 + 1);
  assert.equal(await deliver(s.route, '203.0.113.9', forged, big), 413);
  assert.equal(await deliver(s.route, '203.0.113.9', forged, big), 413);
  const entries = await refusals(s.audit);
  assert.equal(entries.length, 1);
  assert.match(entries[0]!.detail, /^refused from 203\.0\.113\.9: body over 1048576 bytes$/);
});

test('when refusals cannot be counted (Redis down) the sender still gets 401, and the failure is logged', async () => {
  const s = setup({ tally: async () => { throw new Error('connection is closed'); } });
  assert.equal(await deliver(s.route, '203.0.113.7', forged, body), 401);
  assert.match(s.errors.join('\n'), /could not audit a refused delivery/);
});
