/**
 * GitOps push end to end: the real `chainops bot` process (Slack HTTP mode against the Web API
 * stand-in) follows a fleet file in a real local git repository. A push announced by a signed
 * GitHub-style or GitLab-style webhook on the bot's public port makes the `sync` preview, Apply button
 * included, arrive in the ops channel with nobody typing `sync`; forged deliveries get 401, are
 * audited and post nothing; a burst of pushes yields one preview of the newest; an admin's Apply puts
 * it in force; with no webhook at all, polling of the ref picks a push up.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { freePort } from '../../adapters/local/free-port.ts';
import { startRedisServer, type RedisServerHandle } from '../../adapters/local/redis-server.process.ts';
import { waitFor } from '../../adapters/local/wait-for.ts';
import { RedisAuditLog } from '../../adapters/redis/redis-audit.log.ts';
import { fleetRev } from '../../src/gitops/fleet-view.ts';
import { storePrefix } from '../../src/ports/key-layout.ts';
import { startBotProcess, type BotProcess } from '../helpers/bot-process.ts';
import { writeE2eFleet } from '../helpers/e2e-fleet.ts';
import { interactiveBody, postSigned } from '../helpers/slack-sign.ts';
import { startSlackStandIn, type SlackStandIn, type StoredMessage } from '../stand-ins/slack-api.stand-in.ts';
import { blockActions, TEAM } from '../stand-ins/slack-payloads.ts';

const git = promisify(execFile);
const BOT_TOKEN = `xoxb-e2e-${randomBytes(12).toString('hex')}`;
const SIGNING_SECRET = randomBytes(16).toString('hex');
const HOOK_SECRET = randomBytes(24).toString('hex');
const OPS = 'C0GITOPS';
const ALICE = 'U0ALICE';
const PREFIX = `e2e-gitops-${randomBytes(3).toString('hex')}`;

let redis: RedisServerHandle;
let slack: SlackStandIn;
let bot: BotProcess;
let poller: BotProcess | undefined;
let dir: string;
let repo: string;
let base: string;
let botUrl: string;
let auditRedis: Redis;
let audit: RedisAuditLog;
const env = () => ({
  REDIS_URL: redis.url, CHAINOPS_CONFIG: join(dir, 'chainops.yaml'), CHAINOPS_PREFIX: PREFIX, LOG_LEVEL: 'debug',
  SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: slack.url,
  CHAINOPS_FLEET_GIT: repo, CHAINOPS_FLEET_REF: 'main', CHAINOPS_FLEET_PATH: 'chainops.yaml',
  CHAINOPS_GITOPS_CHANNEL: `slack:${OPS}`, CHAINOPS_GITOPS_DEBOUNCE_MS: '500',
});

/** Commit a fleet file that wants eth-devnet at `version`; returns its content revision and commit. */
async function push(version: string, branch = 'main'): Promise<{ rev: string; sha: string }> {
  const text = base.replace('desired_version: 7.9.2', `desired_version: ${version}`);
  assert.notEqual(text, base);
  if (branch !== 'main') await git('git', ['-C', repo, 'checkout', '-q', '-B', branch]);
  await writeFile(join(repo, 'chainops.yaml'), text);
  await git('git', ['-C', repo, 'add', 'chainops.yaml']);
  await git('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', `eth-devnet ${version}`]);
  const sha = (await git('git', ['-C', repo, 'rev-parse', 'HEAD'])).stdout.trim();
  if (branch !== 'main') await git('git', ['-C', repo, 'checkout', '-q', 'main']);
  return { rev: fleetRev(text), sha };
}

const githubBody = (sha: string, ref = 'refs/heads/main') => JSON.stringify({ ref, before: '0'.repeat(40), after: sha, repository: { full_name: 'ops/fleet' }, commits: [] });
const hmac = (body: string, secret = HOOK_SECRET) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
function deliver(headers: Record<string, string>, body: string, url = `${botUrl}/gitops/webhook`): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': 'GitHub-Hookshot/e2e', ...headers }, body });
}
const github = (sha: string, ref?: string) => {
  const body = githubBody(sha, ref);
  return deliver({ 'x-github-event': 'push', 'x-github-delivery': randomBytes(8).toString('hex'), 'x-hub-signature-256': hmac(body) }, body);
};

/** Sync previews (and refusals) the bot posted in the ops channel, oldest first. */
const previews = (): StoredMessage[] => slack.messages.filter((m) => m.channel === OPS && /Sync (preview|refused)/.test(JSON.stringify(m.blocks)));
const applyOf = (m: StoredMessage) => (m.blocks ?? []).flatMap((b) => ((b as { type: string }).type === 'actions' ? (b as { elements: Array<{ action_id: string; value?: string }> }).elements : [])).find((e) => e.action_id === 'sync-apply');
const previewOf = (rev: string, what: string) => waitFor(async () => previews().find((m) => applyOf(m)?.value === rev), { what, timeoutMs: 20_000, intervalMs: 50 });

before(async () => {
  [redis, slack] = await Promise.all([startRedisServer({ appendonly: false }), startSlackStandIn({ botToken: BOT_TOKEN })]);
  dir = await mkdtemp(join(tmpdir(), 'chainops-e2e-gitops-'));
  repo = join(dir, 'fleet-repo');
  const fleetPath = await writeE2eFleet(dir, {
    onlyNodes: ['eth-1'],
    slack: { channel: 'C0PROD', approvers: [], operators: [] },
    set: [[['roles', 'admin', 'slack'], [`${TEAM}/${ALICE}`]]],
  });
  base = await readFile(fleetPath, 'utf8');
  await git('git', ['init', '-q', '-b', 'main', repo]);
  await git('git', ['-C', repo, 'config', 'commit.gpgsign', 'false']);
  await writeFile(join(repo, 'chainops.yaml'), base);
  await git('git', ['-C', repo, 'add', 'chainops.yaml']);
  await git('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'fleet']);
  const port = await freePort();
  // Polling off here: only webhooks may bring a preview (the last test turns polling on in another replica).
  bot = await startBotProcess('bot', { ...env(), PORT: String(port), CHAINOPS_GITOPS_WEBHOOK_SECRET: HOOK_SECRET, CHAINOPS_FLEET_POLL_MS: '0' });
  botUrl = `http://127.0.0.1:${port}`;
  auditRedis = new Redis(redis.url, { maxRetriesPerRequest: 3 });
  audit = new RedisAuditLog(auditRedis, { prefix: storePrefix(PREFIX, 'audit') });
});

after(async () => {
  await poller?.stop().catch(() => undefined);
  await bot?.stop().catch(() => undefined);
  auditRedis?.disconnect();
  await slack?.stop().catch(() => undefined);
  await redis?.stop().catch(() => undefined);
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('GitHub ping is answered; forged or unsigned deliveries get 401, are audited with the remote address (one entry a minute) and post nothing; a GitLab token push posts one preview', async () => {
  assert.equal((await deliver({ 'x-github-event': 'ping', 'x-hub-signature-256': hmac('{"zen":"hi"}') }, '{"zen":"hi"}')).status, 200);
  const { rev, sha } = await push('7.9.10');
  const body = githubBody(sha);
  const forged = [
    await deliver({ 'x-github-event': 'push', 'x-hub-signature-256': hmac(body, 'not-the-secret-at-all') }, body),
    await deliver({ 'x-github-event': 'push' }, body),
    await deliver({ 'x-github-event': 'push', 'x-hub-signature-256': 'sha256=deadbeef' }, body),
    await deliver({ 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': 'a-guess-at-the-token' }, JSON.stringify({ ref: 'refs/heads/main', checkout_sha: sha })),
    await deliver({}, body),
  ];
  assert.deepEqual(forged.map((r) => r.status), [401, 401, 401, 401, 401]);
  const refused = (await audit.latest(50)).filter((e) => e.action === 'gitops.webhook' && e.outcome === 'refused');
  // One entry a minute per address (the next one carries the count), so a forged flood cannot flood the log.
  assert.equal(refused.length, 1);
  assert.match(refused[0]!.detail, /^refused from (::ffff:)?127\.0\.0\.1: bad or missing X-Hub-Signature-256$/);
  assert.ok(!JSON.stringify(refused).includes(HOOK_SECRET) && !JSON.stringify(refused).includes(sha), 'neither the secret nor the body is audited');

  const gitlab = await deliver({ 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': HOOK_SECRET }, JSON.stringify({ object_kind: 'push', ref: 'refs/heads/main', checkout_sha: sha }));
  assert.equal(gitlab.status, 202);
  const m = await previewOf(rev, 'the preview announced by the GitLab push');
  // Only the GitLab delivery caused it: a forged one that slipped through would be named here too.
  assert.match(JSON.stringify(m.blocks), new RegExp(`Posted because the fleet repository moved to ${sha.slice(0, 12)} \\(gitlab push of ${sha.slice(0, 12)}\\)`));
  assert.equal(previews().length, 1);
  const entries = await audit.latest(50);
  assert.ok(entries.some((e) => e.action === 'gitops.webhook' && e.outcome === 'ok' && /gitlab push .* accepted/.test(e.detail)));
  assert.ok(entries.some((e) => e.action === 'gitops.preview' && e.outcome === 'ok' && e.ref === rev));
});

test('a signed GitHub push posts the preview with Apply; an admin clicks Apply and the revision is in force', async () => {
  const before = previews().length;
  const { rev, sha } = await push('7.9.11');
  // A push to another branch is authentic but not followed.
  const other = await push('7.9.99', 'feature');
  const ignored = await github(other.sha, 'refs/heads/feature');
  assert.equal(ignored.status, 202);
  assert.match(await ignored.text(), /ignored: push to refs\/heads\/feature, not main/);
  assert.equal((await github(sha)).status, 202);
  const m = await previewOf(rev, 'the preview announced by the GitHub push');
  assert.equal(previews().length, before + 1);
  assert.match(JSON.stringify(m.blocks), /7\.9\.2 .*7\.9\.11/);
  assert.match(m.text ?? '', new RegExp(`Fleet file ${rev}: 1 change to desired state — not in force yet`));

  const click = interactiveBody(blockActions({ actionId: 'sync-apply', value: rev, user: ALICE, channel: OPS, messageTs: m.ts, responseUrl: slack.responseUrl('apply') }));
  assert.equal((await postSigned(`${botUrl}/slack/events`, SIGNING_SECRET, click)).status, 200);
  await waitFor(async () => (await audit.latest(20)).find((e) => e.action === 'fleet.sync' && e.outcome === 'ok' && e.detail.includes(rev)), { what: 'the Apply to put the revision in force', timeoutMs: 15_000, intervalMs: 50 });
});

test('a burst of five pushes, each announced, yields one preview: of the newest revision', async () => {
  const before = previews().length;
  const pushed: Array<{ rev: string; sha: string }> = [];
  for (const v of ['7.9.20', '7.9.21', '7.9.22', '7.9.23', '7.9.24']) {
    const p = await push(v);
    pushed.push(p);
    assert.equal((await github(p.sha)).status, 202);
  }
  const newest = pushed.at(-1)!;
  const m = await previewOf(newest.rev, 'the preview of the newest push');
  assert.match(JSON.stringify(m.blocks), /7\.9\.11 .*7\.9\.24/, 'compared with the revision now in force');
  assert.match(JSON.stringify(m.blocks), new RegExp(`github push of ${newest.sha.slice(0, 12)}, after 4 more`));
  const revs = previews().slice(before).map((x) => applyOf(x)?.value);
  assert.deepEqual(revs, [newest.rev]);
  // The same delivery again (GitHub's "Redeliver") posts nothing new: that revision was previewed.
  assert.equal((await github(newest.sha)).status, 202);
  await bot.waitForLog((l) => l.msg === 'gitops push: looked at the source' && l['outcome'] === 'already-previewed', 'the redelivery looked and found it previewed', 15_000);
  assert.equal(previews().length, before + 1);
});

test('a body over 1 MB is refused with 413 before it is read', async () => {
  const big = 'x'.repeat(1024 * 1024 + 10);
  const r = await deliver({ 'x-github-event': 'push', 'x-hub-signature-256': hmac(big) }, big);
  assert.equal(r.status, 413);
});

test('with no webhook secret the route answers 503; polling of the ref picks up a push nobody announced', async () => {
  const port = await freePort();
  poller = await startBotProcess('bot', { ...env(), PORT: String(port), CHAINOPS_FLEET_POLL_MS: '300' });
  const r = await deliver({ 'x-github-event': 'push', 'x-hub-signature-256': hmac('{}') }, '{}', `http://127.0.0.1:${port}/gitops/webhook`);
  assert.equal(r.status, 503);
  assert.match(await r.text(), /CHAINOPS_GITOPS_WEBHOOK_SECRET/);
  const { rev } = await push('7.9.30');
  const m = await previewOf(rev, 'the preview found by polling');
  assert.match(JSON.stringify(m.blocks), /\(poll\)/);
});
