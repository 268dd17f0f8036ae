/**
 * The release watch against its real parts: the GitHub and npm fetchers against loopback stand-ins
 * that follow GitHub's and the registry's documented shapes (pagination, ETag → 304, rate limits),
 * and two watchers sharing a real redis-server that poll at the same moment (two worker replicas):
 * each (group, version) is posted once.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { startRedisServer, type RedisServerHandle } from '../../adapters/local/redis-server.process.ts';
import { RedisOutbox, outboxStreamKey } from '../../adapters/outbox/redis.outbox.ts';
import { RedisReleaseStore } from '../../adapters/redis/redis-release.store.ts';
import { RedisAuditLog } from '../../adapters/redis/redis-audit.log.ts';
import { MemoryStateStore } from '../../adapters/memory/memory-state.store.ts';
import { GithubReleaseFetcher } from '../../adapters/releases/github-releases.source.ts';
import { NpmReleaseFetcher } from '../../adapters/releases/npm-registry.source.ts';
import { HttpReleaseFetcher } from '../../adapters/releases/http-release.fetcher.ts';
import { parseFleet } from '../../src/fleet/fleet.load.ts';
import { pollReleases } from '../../src/releases/release-watch.ts';
import { releaseSourceSchema } from '../../src/releases/release-source.schema.ts';
import { storePrefix } from '../../src/ports/key-layout.ts';
import { BullJobQueue } from '../../adapters/queue/bullmq.queue.ts';
import { startWorkerHost } from '../../jobs/worker-host.ts';
import { releaseProcessor } from '../../jobs/release/release.processor.ts';
import { waitFor } from '../../adapters/local/wait-for.ts';
import { startGithubApiStandIn, type GithubApiStandIn } from '../stand-ins/github-api.stand-in.ts';
import { startNpmRegistryStandIn, type NpmRegistryStandIn } from '../stand-ins/npm-registry.stand-in.ts';

const quiet = { info() {}, warn() {}, error() {}, debug() {} };
const NOW = Date.UTC(2026, 0, 5, 9);
const gh = (repo: string) => releaseSourceSchema.parse({ source: 'github', repo }) as Extract<ReturnType<typeof releaseSourceSchema.parse>, { source: 'github' }>;
const npmSrc = (pkg: string) => releaseSourceSchema.parse({ source: 'npm', package: pkg }) as Extract<ReturnType<typeof releaseSourceSchema.parse>, { source: 'npm' }>;

let redis: RedisServerHandle;
let github: GithubApiStandIn;
let npm: NpmRegistryStandIn;
const connections: Redis[] = [];
const connect = () => {
  const c = new Redis(redis.url, { maxRetriesPerRequest: null });
  connections.push(c);
  return c;
};

before(async () => {
  [redis, github, npm] = await Promise.all([startRedisServer({ appendonly: false }), startGithubApiStandIn(), startNpmRegistryStandIn()]);
});
after(async () => {
  for (const c of connections) c.disconnect();
  await Promise.all([github?.stop(), npm?.stop(), redis?.stop()]);
});

describe('GitHub releases fetcher', () => {
  it('follows Link pagination, and a poll with the ETag costs a 304 that reads nothing', async () => {
    const repo = 'acme/pages';
    for (let i = 0; i < 7; i++) github.publish(repo, { tag_name: `v1.0.${i}` });
    const f = new GithubReleaseFetcher({ apiUrl: github.url, perPage: 3, maxPages: 5 });
    const before = github.requests.length;
    const first = await f.fetch(gh(repo), {});
    assert.equal(first.kind, 'changed');
    assert.ok(first.kind === 'changed' && first.etag);
    assert.deepEqual(first.kind === 'changed' && first.releases.map((r) => r.tag), ['v1.0.6', 'v1.0.5', 'v1.0.4', 'v1.0.3', 'v1.0.2', 'v1.0.1', 'v1.0.0']);
    assert.deepEqual(github.requests.slice(before).map((r) => [r.page, r.perPage, r.status]), [[1, 3, 200], [2, 3, 200], [3, 3, 200]]);

    const again = await f.fetch(gh(repo), { etag: first.kind === 'changed' ? first.etag! : '' });
    assert.deepEqual(again, { kind: 'unchanged' });
    const last = github.requests.at(-1)!;
    assert.equal(last.status, 304);
    assert.equal(last.ifNoneMatch, first.kind === 'changed' ? first.etag : '');

    // A new release changes the first page: read again in full.
    github.publish(repo, { tag_name: 'v1.1.0', body: 'Fixes CVE-2026-0001' });
    const changed = await f.fetch(gh(repo), { etag: first.kind === 'changed' ? first.etag! : '' });
    assert.ok(changed.kind === 'changed' && changed.releases[0]!.tag === 'v1.1.0' && /CVE/.test(changed.releases[0]!.notes ?? ''));
  });

  it('reads at most maxPages pages', async () => {
    const repo = 'acme/many';
    for (let i = 0; i < 10; i++) github.publish(repo, { tag_name: `v2.0.${i}` });
    const before = github.requests.length;
    const r = await new GithubReleaseFetcher({ apiUrl: github.url, perPage: 2, maxPages: 2 }).fetch(gh(repo), {});
    assert.equal(r.kind === 'changed' && r.releases.length, 4);
    assert.equal(github.requests.length - before, 2);
  });

  it('backs off on rate limits: retry-after on 403/429, x-ratelimit-reset when the quota is used up', async () => {
    const repo = 'acme/limited';
    github.publish(repo, { tag_name: 'v3.0.0' });
    github.publish(repo, { tag_name: 'v3.0.1' });
    const f = new GithubReleaseFetcher({ apiUrl: github.url, perPage: 1, maxPages: 5, now: () => NOW });
    github.throttleNext(429, 120);
    assert.deepEqual(await f.fetch(gh(repo), {}), { kind: 'rate-limited', retryAt: NOW + 120_000, why: 'GitHub answered 429 (retry-after 120s)' });
    github.throttleNext(403, 30);
    const secondary = await f.fetch(gh(repo), {});
    assert.equal(secondary.kind === 'rate-limited' && secondary.retryAt, NOW + 30_000);

    const reset = Math.floor(NOW / 1000) + 900;
    github.setQuota(0, reset);
    const primary = await f.fetch(gh(repo), {});
    assert.deepEqual(primary, { kind: 'rate-limited', retryAt: reset * 1000, why: 'GitHub answered 403 (x-ratelimit-remaining 0)' });

    // One request left: the first page is read, the quota is then used up, so no second page is asked
    // for and the next poll waits for the reset (without an ETag, so it reads everything then).
    github.setQuota(1, reset);
    const before = github.requests.length;
    const partial = await f.fetch(gh(repo), {});
    assert.equal(github.requests.length - before, 1);
    assert.ok(partial.kind === 'changed' && partial.releases.length === 1 && partial.retryAt === reset * 1000 && partial.etag === undefined);
    github.setQuota(5000);
  });

  it('sends the token only as a bearer header (drafts become visible); a missing repo is a plain error without it', async () => {
    const repo = 'acme/private';
    github.publish(repo, { tag_name: 'v4.0.0' });
    github.publish(repo, { tag_name: 'v4.1.0', draft: true });
    const token = `ghp_${randomUUID().replaceAll('-', '')}`;
    const f = new GithubReleaseFetcher({ apiUrl: github.url, token });
    const r = await f.fetch(gh(repo), {});
    assert.equal(github.requests.at(-1)!.authorization, `Bearer ${token}`);
    assert.deepEqual(r.kind === 'changed' && r.releases.map((x) => [x.tag, x.draft]), [['v4.1.0', true], ['v4.0.0', false]]);
    await assert.rejects(f.fetch(gh('acme/nope'), {}), (err: Error) => /no repository acme\/nope/.test(err.message) && !err.message.includes(token));
  });
});

describe('npm registry fetcher', () => {
  it('lists the versions of the package document (not deprecated ones) with publish times; ETag → unchanged', async () => {
    npm.publish('ganache', '7.9.0', { at: '2023-07-01T00:00:00.000Z' });
    npm.publish('ganache', '7.9.1', { at: '2023-08-01T00:00:00.000Z', deprecated: 'broken build' });
    npm.publish('ganache', '7.9.2', { at: '2023-12-01T00:00:00.000Z' });
    npm.publish('@acme/node', '1.0.0');
    const f = new NpmReleaseFetcher({ registryUrl: npm.url });
    const r = await f.fetch(npmSrc('ganache'), {});
    assert.ok(r.kind === 'changed' && r.etag);
    assert.deepEqual(r.kind === 'changed' && r.releases.map((x) => [x.tag, x.publishedAt]), [['7.9.0', '2023-07-01T00:00:00.000Z'], ['7.9.2', '2023-12-01T00:00:00.000Z']]);
    assert.deepEqual(await f.fetch(npmSrc('ganache'), { etag: r.kind === 'changed' ? r.etag! : '' }), { kind: 'unchanged' });
    assert.equal(npm.requests.at(-1)!.status, 304);
    const scoped = await f.fetch(npmSrc('@acme/node'), {});
    assert.ok(scoped.kind === 'changed' && scoped.releases[0]!.tag === '1.0.0');
    await assert.rejects(f.fetch(npmSrc('no-such-pkg'), {}), /no package no-such-pkg/);
  });
});

describe('release watch on Redis, two replicas', () => {
  it('two watchers polling at once post each version once; an ignored version is never posted', async () => {
    const prefix = `rel-${randomUUID().slice(0, 8)}`;
    const repo = 'acme/replicas';
    github.publish(repo, { tag_name: 'v5.0.0' });
    github.publish(repo, { tag_name: 'v5.1.0' });
    const parsed = parseFleet(`
version: 1
name: t
environments:
  prod: { channels: { slack: C0PROD } }
groups:
  node-a:
    chain: ethereum
    network: devnet
    client: geth
    desired_version: 5.0.0
    rpc: { kind: eth }
    releases: { source: github, repo: ${repo} }
nodes:
  - { name: a-1, group: node-a, env: prod, rpc_url: "http://127.0.0.1:1" }
`);
    assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed.problems));
    const fleet = parsed.fleet;
    const heard: string[] = [];
    // The node was checked (the first post waits for that); both replicas read the same snapshots.
    const state = new MemoryStateStore();
    await state.putSnapshots([{ node: 'a-1', group: 'node-a', env: 'prod', chain: 'ethereum', network: 'devnet', at: Date.now(), reachable: true, version: '5.0.0', latencyMs: 1, warnings: [] }]);
    const replica = () => {
      const r = connect();
      return {
        fleet: () => fleet, store: new RedisReleaseStore(r, storePrefix(prefix, 'releases')), state,
        fetcher: new HttpReleaseFetcher({ github: { apiUrl: github.url } }), outbox: new RedisOutbox(r, prefix),
        audit: new RedisAuditLog(r, { prefix: storePrefix(prefix, 'audit') }), clock: { now: () => Date.now() }, logger: quiet,
        onNewRelease: async (e: { group: string; version: string }) => void heard.push(`${e.group} ${e.version}`),
      };
    };
    const [a, b] = [replica(), replica()];
    const posted = async () => {
      const entries = await connect().xrange(outboxStreamKey(prefix, 'slack'), '-', '+');
      return entries.map(([, f]) => JSON.parse(f[1]!) as { op: string; key: string }).filter((i) => i.op === 'upsert').map((i) => i.key);
    };

    for (let round = 0; round < 3; round++) await Promise.all([pollReleases(a, { force: true }), pollReleases(b, { force: true })]);
    assert.deepEqual(await posted(), ['release:node-a:5.1.0'], 'first poll: the newest only, once');

    github.publish(repo, { tag_name: 'v5.2.0' });
    github.publish(repo, { tag_name: 'v5.3.0' });
    await a.store.ignore('node-a', '5.3.0');
    for (let round = 0; round < 3; round++) await Promise.all([pollReleases(a, { force: true }), pollReleases(b, { force: true })]);
    assert.deepEqual(await posted(), ['release:node-a:5.1.0', 'release:node-a:5.2.0']);
    assert.deepEqual(heard.sort(), ['node-a 5.1.0', 'node-a 5.2.0']);

    const known = await b.store.get('node-a');
    assert.deepEqual(known?.releases.map((r) => r.version), ['5.3.0', '5.2.0', '5.1.0', '5.0.0']);
    assert.ok(known?.etag && known.polledAt);
    assert.deepEqual(await b.store.ignored('node-a'), ['5.3.0']);
    const audit = await a.audit.latest(10);
    assert.equal(audit.filter((e) => e.action === 'release.announce').length, 2);
  });
});

describe('release job on BullMQ', () => {
  it('the repeatable `release` schedule runs the watch on a worker host: a static source is posted', async () => {
    const prefix = `relq-${randomUUID().slice(0, 8)}`;
    const parsed = parseFleet(`
version: 1
name: t
environments:
  dev: { channels: { discord: "123456789012" } }
groups:
  node-b:
    chain: ethereum
    network: devnet
    client: ganache
    desired_version: 7.9.1
    rpc: { kind: eth }
    releases: { source: static, versions: [7.9.1, 7.9.2] }
nodes:
  - { name: b-1, group: node-b, env: dev, rpc_url: "http://127.0.0.1:1" }
`);
    assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed.problems));
    const r = connect();
    const state = new MemoryStateStore();
    await state.putSnapshots([{ node: 'b-1', group: 'node-b', env: 'dev', chain: 'ethereum', network: 'devnet', at: Date.now(), reachable: true, version: '7.9.1', latencyMs: 1, warnings: [] }]);
    const queue = new BullJobQueue({ redisUrl: redis.url, prefix, logger: quiet });
    const host = await startWorkerHost({
      redisUrl: redis.url, prefix, logger: quiet, concurrency: 1,
      processors: {
        release: releaseProcessor({
          fleet: () => parsed.fleet, store: new RedisReleaseStore(r, storePrefix(prefix, 'releases')), state,
          fetcher: new HttpReleaseFetcher(), outbox: new RedisOutbox(r, prefix), audit: new RedisAuditLog(r, { prefix: storePrefix(prefix, 'audit') }),
          clock: { now: () => Date.now() }, logger: quiet,
        }),
      },
    });
    try {
      await queue.upsertSchedule('release', 'release-watch', 60_000, { v: 1 });
      const items = await waitFor(async () => {
        const entries = await r.xrange(outboxStreamKey(prefix, 'discord'), '-', '+');
        return entries.length ? entries.map(([, f]) => JSON.parse(f[1]!) as { key: string; message: { text: string } }) : undefined;
      }, { what: 'the release post in the outbox', timeoutMs: 20_000, intervalMs: 100 });
      assert.deepEqual(items.map((i) => i.key), ['release:node-b:7.9.2']);
      assert.match(items[0]!.message.text, /New ganache release 7\.9\.2 for node-b/);
      assert.match(JSON.stringify(items[0]!.message), /b-1 \(dev, 7\.9\.1\)/);
    } finally {
      await queue.removeSchedule('release', 'release-watch');
      await host.close();
      await queue.close();
    }
  });
});
