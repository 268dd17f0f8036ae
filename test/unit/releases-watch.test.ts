import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryReleaseStore } from '../../adapters/memory/memory-release.store.ts';
import { MemoryAuditLog } from '../../adapters/memory/memory-audit.log.ts';
import { MemoryStateStore } from '../../adapters/memory/memory-state.store.ts';
import { MemoryOutbox } from '../../adapters/outbox/memory.outbox.ts';
import { renderMessage } from '../../adapters/slack/block-kit.renderer.ts';
import { renderDiscordMessage } from '../../adapters/discord/discord-embed.renderer.ts';
import { pollReleases, SNAPSHOT_WAIT_MS, type ReleaseWatchDeps } from '../../src/releases/release-watch.ts';
import { releaseSourceSchema } from '../../src/releases/release-source.schema.ts';
import type { ReleaseFetcher } from '../../src/releases/release-source.port.ts';
import type { FetchResult, RawRelease } from '../../src/releases/release.types.ts';
import { releasePostMessage } from '../../src/render/release.message.ts';
import type { Message } from '../../src/chat/message.ts';
import { checkBlocks } from '../stand-ins/slack-blocks.check.ts';
import { demoFleet } from '../helpers/pipeline-harness.ts';

const quiet = { info() {}, warn() {}, debug() {}, error() {} };

/** A fetcher whose answers the test scripts; it records the ETags it was given. */
function scripted() {
  const answers: Array<FetchResult | Error> = [];
  const etags: Array<string | undefined> = [];
  const fetcher: ReleaseFetcher = {
    async fetch(_cfg, opts) {
      etags.push(opts.etag);
      const a = answers.shift() ?? { kind: 'unchanged' };
      if (a instanceof Error) throw a;
      return a;
    },
  };
  return { fetcher, answers, etags };
}

const snap = (node: string, version: string, at = 1) => ({ node, group: 'eth-devnet', env: 'prod', chain: 'ethereum', network: 'devnet', at, reachable: true, version, latencyMs: 1, warnings: [] });

/** The demo fleet with an npm source on eth-devnet; its nodes already checked unless `checked: false`. */
async function setup(opts: { checked?: boolean } = {}) {
  let now = Date.UTC(2026, 0, 5, 9);
  const fleet = demoFleet();
  fleet.groups['eth-devnet']!.releases = releaseSourceSchema.parse({ source: 'npm', package: 'ganache', range: '^7' });
  const { fetcher, answers, etags } = scripted();
  const outbox = new MemoryOutbox();
  const store = new MemoryReleaseStore();
  const state = new MemoryStateStore({ clock: { now: () => now } });
  const heard: string[] = [];
  const deps: ReleaseWatchDeps = {
    fleet: () => fleet, store, fetcher, state, outbox, audit: new MemoryAuditLog(), clock: { now: () => now }, logger: quiet,
    onNewRelease: async (e) => void heard.push(`${e.group} ${e.version}`),
  };
  if (opts.checked !== false) await state.putSnapshots(['eth-1', 'eth-2', 'eth-3'].map((n) => snap(n, '7.9.1')));
  const posts = () => outbox.items.filter((i) => i.op === 'upsert').map((i) => i.key);
  return { deps, fleet, answers, etags, outbox, store, state, heard, posts, tick: (ms: number) => void (now += ms) };
}

const rel = (tag: string, extra: Partial<RawRelease> = {}): RawRelease => ({ tag, publishedAt: '2026-01-01T00:00:00Z', ...extra });

describe('release watch', () => {
  it('first poll: announces only the newest and claims the rest as baseline; later polls announce only new versions', async () => {
    const t = await setup();
    t.answers.push({ kind: 'changed', releases: [rel('7.9.0'), rel('7.9.1'), rel('7.9.2'), rel('8.0.0'), rel('7.10.0-rc.1')], etag: '"e1"' });
    const first = await pollReleases(t.deps);
    assert.deepEqual(first.map((p) => [p.group, p.outcome, p.announced]), [['eth-devnet', 'changed', ['7.9.2']]]);
    assert.deepEqual(t.posts(), ['release:eth-devnet:7.9.2']);
    assert.equal(t.store.claimOf('eth-devnet', '7.9.1'), 'baseline');
    assert.deepEqual(t.heard, ['eth-devnet 7.9.2']);

    // Not due yet: no request at all.
    t.tick(60_000);
    assert.equal((await pollReleases(t.deps))[0]!.outcome, 'skipped');
    assert.equal(t.etags.length, 1);

    t.tick(600_000);
    t.answers.push({ kind: 'unchanged' });
    assert.equal((await pollReleases(t.deps))[0]!.outcome, 'unchanged');
    assert.equal(t.etags[1], '"e1"', 'the stored ETag is sent');
    assert.equal((await t.store.get('eth-devnet'))!.releases.length, 3, 'an unchanged answer keeps the list');

    t.tick(600_000);
    t.answers.push({ kind: 'changed', releases: [rel('7.9.0'), rel('7.9.1'), rel('7.9.2'), rel('7.9.3'), rel('7.9.4')], etag: '"e2"' });
    const later = await pollReleases(t.deps);
    assert.deepEqual(later[0]!.announced, ['7.9.4', '7.9.3']);
    assert.deepEqual(t.heard, ['eth-devnet 7.9.2', 'eth-devnet 7.9.4', 'eth-devnet 7.9.3']);
    assert.equal(t.posts().length, 3);
  });

  it('ignored versions are never announced', async () => {
    const t = await setup();
    t.answers.push({ kind: 'changed', releases: [rel('7.9.1')] });
    await pollReleases(t.deps);
    await t.store.ignore('eth-devnet', '7.9.2');
    t.tick(600_000);
    t.answers.push({ kind: 'changed', releases: [rel('7.9.1'), rel('7.9.2')] });
    assert.deepEqual((await pollReleases(t.deps))[0]!.announced, []);
    assert.deepEqual(t.posts(), ['release:eth-devnet:7.9.1']);
  });

  it('a rate-limited source is not asked again before its reset; an error is stored and retried next interval', async () => {
    const t = await setup();
    const resetAt = Date.UTC(2026, 0, 5, 10);
    t.answers.push({ kind: 'rate-limited', retryAt: resetAt, why: 'GitHub answered 403 (x-ratelimit-remaining 0)' });
    assert.equal((await pollReleases(t.deps))[0]!.outcome, 'rate-limited');
    t.tick(30 * 60_000);
    assert.equal((await pollReleases(t.deps))[0]!.outcome, 'skipped', 'interval passed, reset not yet');
    t.tick(31 * 60_000);
    t.answers.push(new Error('the npm registry answered 503'));
    assert.equal((await pollReleases(t.deps))[0]!.outcome, 'failed');
    assert.match((await t.store.get('eth-devnet'))!.error!, /503/);
    t.tick(600_000);
    t.answers.push({ kind: 'changed', releases: [rel('7.9.2')] });
    assert.deepEqual((await pollReleases(t.deps))[0]!.announced, ['7.9.2']);
    assert.equal((await t.store.get('eth-devnet'))!.error, undefined);
  });

  it('a post that could not be published gives its claim back, so the next poll posts it', async () => {
    const t = await setup();
    let fail = true;
    const real = t.deps.outbox;
    t.deps.outbox = { publish: async (item) => { if (fail) throw new Error('redis down'); await real.publish(item); } };
    t.answers.push({ kind: 'changed', releases: [rel('7.9.2')] });
    assert.equal((await pollReleases(t.deps))[0]!.outcome, 'failed');
    fail = false;
    t.answers.push({ kind: 'changed', releases: [rel('7.9.2')] });
    assert.deepEqual((await pollReleases(t.deps, { force: true }))[0]!.announced, ['7.9.2']);
    assert.deepEqual(t.heard, ['eth-devnet 7.9.2']);
  });

  it('changing the source or its filters starts over: no stale ETag is sent', async () => {
    const t = await setup();
    t.answers.push({ kind: 'changed', releases: [rel('7.9.2')], etag: '"old"' });
    await pollReleases(t.deps);
    t.fleet.groups['eth-devnet']!.releases = releaseSourceSchema.parse({ source: 'npm', package: 'ganache', range: '^7', prereleases: true });
    t.answers.push({ kind: 'changed', releases: [rel('7.9.2')] });
    await pollReleases(t.deps);
    assert.deepEqual(t.etags, [undefined, undefined]);
  });

  it('the post names older nodes from the snapshots, links the release and has the three buttons', async () => {
    const t = await setup({ checked: false });
    await t.state.putSnapshots([snap('eth-1', '7.9.1'), snap('eth-2', '7.9.2')]);
    t.answers.push({ kind: 'changed', releases: [rel('v7.9.2', { name: 'ganache v7.9.2', url: 'https://github.com/trufflesuite/ganache/releases/tag/v7.9.2', notes: 'Security: fixes a vulnerability' })] });
    await pollReleases(t.deps);
    const item = t.outbox.items[0]!;
    assert.deepEqual(item.conversation, { platform: 'console', channelId: 'console' });
    const text = JSON.stringify(item.message);
    assert.match(text, /New ganache release 7\.9\.2 for eth-devnet 🔒 security/);
    assert.match(text, /eth-1 \(prod, 7\.9\.1\)/);
    assert.doesNotMatch(text, /eth-2 \(/, 'eth-2 already runs it');
    assert.match(text, /1 node not checked yet/);
    assert.match(text, /releases\/tag\/v7\.9\.2/);
    const buttons = item.message.blocks.flatMap((b) => (b.type === 'actions' ? b.buttons : []));
    assert.deepEqual(buttons.map((b) => [b.actionId, b.value]), [
      ['release-upgrade-dev', 'eth-devnet 7.9.2 --env prod'],
      ['release-promote', 'eth-devnet 7.9.2'],
      ['release-ignore', 'eth-devnet 7.9.2'],
    ]);
  });
});

describe('release watch: a fresh worker', () => {
  it('the first post waits for the group\'s first health snapshots (up to a few minutes), then names the older nodes', async () => {
    const t = await setup({ checked: false });
    t.answers.push({ kind: 'changed', releases: [rel('7.9.2')], etag: '"e"' });
    assert.equal((await pollReleases(t.deps))[0]!.outcome, 'waiting');
    assert.deepEqual(t.posts(), []);
    t.tick(5_000);
    assert.equal((await pollReleases(t.deps))[0]!.outcome, 'skipped', 'rechecked after a short while, not at once');
    await t.state.putSnapshots([snap('eth-1', '7.9.1'), snap('eth-2', '7.9.1'), snap('eth-3', '7.9.2')]);
    t.tick(20_000);
    t.answers.push({ kind: 'unchanged' });
    assert.deepEqual((await pollReleases(t.deps))[0]!.announced, ['7.9.2']);
    assert.equal(t.etags[1], '"e"');
    assert.match(JSON.stringify(t.outbox.items[0]!.message), /eth-1 \(prod, 7\.9\.1\), eth-2 \(prod, 7\.9\.1\)\./);
  });

  it('does not wait for ever: without any snapshot it posts after the wait', async () => {
    const t = await setup({ checked: false });
    t.answers.push({ kind: 'changed', releases: [rel('7.9.2')] });
    assert.equal((await pollReleases(t.deps))[0]!.outcome, 'waiting');
    t.tick(SNAPSHOT_WAIT_MS);
    t.answers.push({ kind: 'changed', releases: [rel('7.9.2')] });
    assert.deepEqual((await pollReleases(t.deps))[0]!.announced, ['7.9.2']);
    assert.match(JSON.stringify(t.outbox.items[0]!.message), /3 nodes not checked yet/);
  });
});

describe('release post rendering', () => {
  const big = releasePostMessage({
    group: 'g'.repeat(63), client: 'c'.repeat(32),
    release: { version: '123456.123456.123456-rc.1234567890', tag: 'x', name: 'N'.repeat(200), url: `https://example.com/${'u'.repeat(480)}`, publishedAt: '2026-01-01T00:00:00Z', prerelease: true, security: true },
    source: 'GitHub owner/repo', older: Array.from({ length: 1000 }, (_, i) => ({ node: `node-${i}`, env: 'prod', version: '1.0.0' })), unknown: 7, upgradeEnv: 'e'.repeat(32),
  });
  const assertSlack = (m: Message) => {
    const out = renderMessage(m);
    assert.equal(checkBlocks(out.blocks, 50), undefined, JSON.stringify(checkBlocks(out.blocks, 50)));
  };
  it('stays within Block Kit limits, even with long names and a thousand older nodes', () => {
    assertSlack(big);
    assert.match(JSON.stringify(big), /and 985 more/);
  });
  it('stays within Discord limits; buttons whose custom id would not fit are dropped, not broken', () => {
    const body = renderDiscordMessage(big);
    assert.ok(body.content.length <= 2000);
    const e = body.embeds[0]!;
    assert.ok((e.title ?? '').length <= 256);
    assert.ok((e.description ?? '').length <= 4096);
    for (const f of e.fields ?? []) assert.ok(f.value.length <= 1024 && f.name.length <= 256);
    for (const row of body.components) for (const b of row.components as Array<{ custom_id?: string; label: string }>) {
      assert.ok((b.custom_id ?? '').length <= 100);
      assert.ok(b.label.length <= 80);
    }
  });
});
