// Chaos item 4 (issue #8): 1 000 forged, stale, tampered and replayed Slack requests and bad Discord
// signatures against a bot replica composed as in production (createRuntime + startBotRole, real
// Redis and BullMQ, Slack and Discord stand-ins). Every one is refused with 401 (a replayed Discord
// interaction with 409) and none reaches the core: nothing queued, nothing audited, nothing posted.
// The same replica follows its fleet file in a local git repository, so POST /gitops/webhook is
// attacked too: forged GitHub/GitLab deliveries (401), replays of a genuine one (409), oversized
// bodies (413) — only the genuine push posts its one preview, and the flood is one audit entry.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startRedisServer, type RedisServerHandle } from '../../adapters/local/redis-server.process.ts';
import { waitFor } from '../../adapters/local/wait-for.ts';
import { makeDiscordSigner } from '../helpers/discord-sign.ts';
import { assertNoSecrets, discordStandInRecords, logRecords, slackStandInRecords } from '../helpers/secret-scan.ts';
import { startDiscordStandIn, chatInputInteraction, type DiscordStandIn } from '../stand-ins/discord.stand-in.ts';
import { startSlackStandIn, type SlackStandIn } from '../stand-ins/slack-api.stand-in.ts';
import { SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, startBotStack, type BotStack } from '../chaos/lib/bot-stack.ts';
import { forgedSlackRequests, genuineSlackRequest, JOB_TEXT, type ForgedRequest } from '../chaos/lib/forged-requests.ts';
import { slackSignature } from '../helpers/slack-sign.ts';
import { appMention, eventEnvelope } from '../stand-ins/slack-payloads.ts';
import { prng } from '../../bench/command-corpus.ts';

const ADMIN_DISCORD = { userId: '123456789012345678', roleIds: [] as string[] };
const FLEET = `
version: 1
name: chaos-forged
environments:
  dev: { approval: { required: 0 } }
groups:
  ltc-regtest: { chain: litecoin, network: regtest, client: litecoind, desired_version: 0.21.2.1, rpc: { kind: bitcoin } }
  eth-devnet: { chain: ethereum, network: devnet, client: geth, desired_version: 1.14.3, rpc: { kind: eth } }
nodes:
  - { name: ltc-1, group: ltc-regtest, env: dev, rpc_url: "http://127.0.0.1:9/" }
  - { name: eth-1, group: eth-devnet, env: dev, rpc_url: "http://127.0.0.1:9/" }
health: { interval: 1h }
roles:
  admin: { slack: [T0STANDIN/U0ALICE, T0STANDIN/U0BOB], discord_users: ["${ADMIN_DISCORD.userId}"] }
`;

const HOOK_SECRET = 'chaos-gitops-hook-secret-5b1e09c4a7d2';
const GITOPS_CHANNEL = 'C0GITOPS';
const git = promisify(execFile);

const signedHeaders = (body: string): Record<string, string> => {
  const ts = Math.floor(Date.now() / 1000);
  return { 'content-type': 'application/json', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': slackSignature(SLACK_SIGNING_SECRET, body, ts) };
};

/** Send requests `concurrency` at a time; returns each status, in order. */
async function fire(url: string, reqs: ForgedRequest[], concurrency = 16): Promise<number[]> {
  const statuses: number[] = new Array(reqs.length);
  let next = 0;
  const worker = async () => {
    while (next < reqs.length) {
      const i = next++;
      const r = reqs[i]!;
      const res = await fetch(url, { method: 'POST', headers: r.headers, body: r.body });
      await res.arrayBuffer();
      statuses[i] = res.status;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return statuses;
}

describe('1 000 forged, stale and replayed requests: all refused, none queued', () => {
  let redis: RedisServerHandle;
  let slack: SlackStandIn;
  let discord: DiscordStandIn;
  let bot: BotStack;
  const signer = makeDiscordSigner();
  const tally = new Map<string, { sent: number; refused: number }>();
  let replayedAsRetry = 0;
  let gitDir: string;
  let repo: string;
  /** Commit the fleet file with eth-devnet at `version`; answers the commit. */
  const commitFleet = async (version: string) => {
    await writeFile(join(repo, 'chainops.yaml'), FLEET.replace('desired_version: 1.14.3', `desired_version: ${version}`));
    await git('git', ['-C', repo, 'add', 'chainops.yaml']);
    await git('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', 'commit', '-q', '-m', `eth-devnet ${version}`]);
    return (await git('git', ['-C', repo, 'rev-parse', 'HEAD'])).stdout.trim();
  };
  const count = (kind: string, refused: boolean) => {
    const t = tally.get(kind) ?? { sent: 0, refused: 0 };
    t.sent++;
    if (refused) t.refused++;
    tally.set(kind, t);
  };

  before(async () => {
    redis = await startRedisServer({ appendonly: false });
    slack = await startSlackStandIn({ botToken: SLACK_BOT_TOKEN });
    discord = await startDiscordStandIn();
    gitDir = await mkdtemp(join(tmpdir(), 'chainops-chaos-git-'));
    repo = join(gitDir, 'fleet');
    await git('git', ['init', '-q', '-b', 'main', repo]);
    await commitFleet('1.14.3');
    bot = await startBotStack({
      env: {
        CHAINOPS_FLEET_GIT: repo, CHAINOPS_FLEET_REF: 'main', CHAINOPS_FLEET_PATH: 'chainops.yaml', CHAINOPS_FLEET_CACHE: join(gitDir, 'cache'),
        CHAINOPS_GITOPS_WEBHOOK_SECRET: HOOK_SECRET, CHAINOPS_GITOPS_CHANNEL: `slack:${GITOPS_CHANNEL}`, CHAINOPS_FLEET_POLL_MS: '0', CHAINOPS_GITOPS_DEBOUNCE_MS: '100',
      },
      redisUrl: redis.url, prefix: `chaos-${randomUUID().slice(0, 8)}`, fleetYaml: FLEET,
      slack: { apiUrl: slack.url },
      discord: { apiUrl: discord.apiBase, token: discord.token, applicationId: discord.ids.applicationId, publicKeyHex: signer.publicKeyHex },
    });
  });
  after(async () => {
    await bot?.close();
    await discord?.stop();
    await slack?.stop();
    await redis?.stop();
    if (gitDir) await rm(gitDir, { recursive: true, force: true });
  });

  it('720 forged, tampered, stale and malformed Slack requests → 401', async () => {
    const reqs = forgedSlackRequests(720, SLACK_SIGNING_SECRET, (id) => slack.responseUrl(id));
    const statuses = await fire(bot.slackEventsUrl!, reqs);
    reqs.forEach((r, i) => count(`slack: ${r.kind}`, statuses[i] === 401));
    const wrong = reqs.map((r, i) => [r.kind, statuses[i]] as const).filter(([, s]) => s !== 401);
    assert.deepEqual(wrong, [], 'every forged Slack request gets 401');
  });

  it('35 genuine Slack requests pass; replaying each 4 times (140 replays), and 20 times as a "retry" → 401', async () => {
    const genuine = Array.from({ length: 35 }, (_, i) => genuineSlackRequest(SLACK_SIGNING_SECRET, slack.responseUrl(`genuine-${i}`)));
    assert.deepEqual(new Set(await fire(bot.slackEventsUrl!, genuine, 8)), new Set([200]), 'the genuine requests are accepted (the control)');
    const replays = genuine.flatMap((g) => Array.from({ length: 4 }, () => ({ ...g, kind: 'replay' })));
    const statuses = await fire(bot.slackEventsUrl!, replays, 8);
    replays.forEach((_, i) => count('slack: replay', statuses[i] === 401));
    assert.deepEqual(statuses.filter((s) => s !== 401), [], 'every replay gets 401');
    await waitFor(async () => slack.callsOf('response_url').filter((c) => String(c.args.id).startsWith('genuine-')).length >= 35, { what: 'answers to the 35 genuine requests', timeoutMs: 15_000 });

    // Slack never retries slash commands or clicks: a replay of one that claims to be a retry is refused too.
    const asRetries = genuine.slice(0, 20).map((g, i) => ({ ...g, kind: 'replay claiming to be a retry', headers: { ...g.headers, 'X-Slack-Retry-Num': String(1 + (i % 3)), 'X-Slack-Retry-Reason': 'http_timeout' } }));
    const retryStatuses = await fire(bot.slackEventsUrl!, asRetries, 8);
    asRetries.forEach((r, i) => count(`slack: ${r.kind}`, retryStatuses[i] === 401));
    assert.deepEqual(retryStatuses.filter((s) => s !== 401), [], 'a slash command "retry" is a replay');
    replayedAsRetry = asRetries.length;
  });

  it('an Events API retry (same event, X-Slack-Retry-Num) is acked, as Slack needs, and never dispatched twice', async () => {
    const events = Array.from({ length: 5 }, (_, i) => JSON.stringify(eventEnvelope(appMention({ text: '<@U0CHAINOPS> help', channel: 'C0MENTION', ts: `1700000100.00000${i}` }))));
    const signedEvents = events.map((body) => ({ kind: 'event', body, headers: signedHeaders(body) }));
    assert.deepEqual(new Set(await fire(bot.slackEventsUrl!, signedEvents, 5)), new Set([200]));
    await waitFor(async () => slack.callsOf('chat.postEphemeral').filter((c) => c.args.channel === 'C0MENTION').length >= 5, { what: 'answers to the 5 mentions', timeoutMs: 15_000 });
    const retries = signedEvents.flatMap((e) => [1, 2].map((n) => ({ ...e, kind: 'events API retry', headers: { ...e.headers, 'X-Slack-Retry-Num': String(n), 'X-Slack-Retry-Reason': 'http_timeout' } })));
    assert.deepEqual(new Set(await fire(bot.slackEventsUrl!, retries, 5)), new Set([200]));
    await new Promise((r) => setTimeout(r, 300)); // give a wrongly dispatched retry time to show up
    assert.equal(slack.callsOf('chat.postEphemeral').filter((c) => c.args.channel === 'C0MENTION').length, 5, 'each mention answered once');
  });

  it('140 Discord interactions with bad signatures → 401; a replayed genuine one → 409', async () => {
    const other = makeDiscordSigner();
    const r = prng(0xd15c);
    const reqs: ForgedRequest[] = [];
    for (let i = 0; i < 140; i++) {
      const payload = chatInputInteraction(discord.ids, 'upgrade', [{ name: 'target', type: 3, value: 'ltc-regtest' }, { name: 'version', type: 3, value: '0.21.3' }, { name: 'env', type: 3, value: 'dev' }], ADMIN_DISCORD);
      const body = JSON.stringify(payload);
      const ts = Math.floor(Date.now() / 1000);
      const good = signer.headers(body, ts);
      const variants: Array<[string, Record<string, string>, string?]> = [
        ['another key', other.headers(body, ts)],
        ['tampered body', good, body.replace('ltc-regtest', 'eth-devnet')],
        ['flipped signature bit', { ...good, 'x-signature-ed25519': good['x-signature-ed25519']!.replace(/^./, (c) => (c === '0' ? '1' : '0')) }],
        ['signature of another timestamp', { ...good, 'x-signature-timestamp': String(ts - 1) }],
        ['stale (6 min), correctly signed', signer.headers(body, ts - 361)],
        ['future (6 min), correctly signed', signer.headers(body, ts + 361)],
        ['no signature', { 'content-type': 'application/json', 'x-signature-timestamp': String(ts) }],
        ['no timestamp', { 'content-type': 'application/json', 'x-signature-ed25519': good['x-signature-ed25519']! }],
        ['non-hex signature', { ...good, 'x-signature-ed25519': 'zz'.repeat(64) }],
        ['short signature', { ...good, 'x-signature-ed25519': good['x-signature-ed25519']!.slice(0, 64) }],
        ['empty signature', { ...good, 'x-signature-ed25519': '' }],
        ['unsigned', { 'content-type': 'application/json' }],
      ];
      const [kind, headers, alt] = variants[Math.floor(r() * variants.length)]!;
      reqs.push({ kind, headers, body: alt ?? body });
    }
    const statuses = await fire(bot.discordUrl!, reqs);
    reqs.forEach((q, i) => count(`discord: ${q.kind}`, statuses[i] === 401));
    assert.deepEqual(reqs.map((q, i) => [q.kind, statuses[i]] as const).filter(([, s]) => s !== 401), [], 'every bad Discord signature gets 401');

    // A genuine interaction, then the same bytes again: the replay is refused (409) and not dispatched.
    const help = chatInputInteraction(discord.ids, 'help', [], ADMIN_DISCORD);
    assert.equal((await discord.deliverHttpInteraction(bot.discordUrl!, help, (b) => signer.headers(b))).status, 200);
    for (let i = 0; i < 5; i++) {
      const again = await discord.deliverHttpInteraction(bot.discordUrl!, help, (b) => signer.headers(b));
      count('discord: replay', again.status === 409);
      assert.equal(again.status, 409);
    }
  });

  it('113 forged, replayed and oversized GitOps webhook deliveries → 401/409/413; only the genuine push posts, once; the flood is one audit entry', async () => {
    const hookUrl = bot.slackEventsUrl!.replace('/slack/events', '/gitops/webhook');
    const sha = await commitFleet('1.14.4');
    const body = JSON.stringify({ ref: 'refs/heads/main', before: '0'.repeat(40), after: sha, repository: { full_name: 'ops/fleet' } });
    const hmac = (b: string, secret = HOOK_SECRET) => `sha256=${createHmac('sha256', secret).update(b).digest('hex')}`;
    const json = { 'content-type': 'application/json' };
    const r = prng(0x9170);
    const variants: Array<[string, Record<string, string>, string?]> = [
      ['github: another secret', { ...json, 'x-github-event': 'push', 'x-hub-signature-256': hmac(body, 'not-the-hook-secret-at-all') }],
      ['github: tampered body', { ...json, 'x-github-event': 'push', 'x-hub-signature-256': hmac(body) }, body.replace('refs/heads/main', 'refs/heads/main ')],
      ['github: no signature', { ...json, 'x-github-event': 'push' }],
      ['github: malformed signature', { ...json, 'x-github-event': 'push', 'x-hub-signature-256': 'sha256=deadbeef' }],
      ['github: the secret itself as signature', { ...json, 'x-github-event': 'push', 'x-hub-signature-256': HOOK_SECRET }],
      ['github: sha1 signature only', { ...json, 'x-github-event': 'push', 'x-hub-signature': `sha1=${createHmac('sha1', HOOK_SECRET).update(body).digest('hex')}` }],
      ['gitlab: wrong token', { ...json, 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': 'a-guess-at-the-token' }],
      ['gitlab: empty token', { ...json, 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': '' }],
      ['gitlab: token of another prefix', { ...json, 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': HOOK_SECRET.slice(0, -1) }],
      ['no provider headers', json],
    ];
    const forged: ForgedRequest[] = Array.from({ length: 90 }, () => {
      const [kind, headers, alt] = variants[Math.floor(r() * variants.length)]!;
      return { kind: `gitops: ${kind}`, headers, body: alt ?? body };
    });
    const statuses = await fire(hookUrl, forged);
    forged.forEach((q, i) => count(q.kind, statuses[i] === 401));
    assert.deepEqual(forged.map((q, i) => [q.kind, statuses[i]] as const).filter(([, st]) => st !== 401), [], 'every forged delivery gets 401');
    const big = 'x'.repeat(1024 * 1024 + 1);
    const oversized = Array.from({ length: 3 }, () => ({ kind: 'gitops: oversized', headers: { ...json, 'x-github-event': 'push', 'x-hub-signature-256': hmac(big) }, body: big }));
    (await fire(hookUrl, oversized, 3)).forEach((st) => count('gitops: oversized', st === 413));

    // The control: one genuine push posts its preview; its verbatim replays are refused.
    const genuine = { ...json, 'x-github-event': 'push', 'x-hub-signature-256': hmac(body), 'x-github-delivery': randomUUID() };
    assert.deepEqual(await fire(hookUrl, [{ kind: 'genuine', headers: genuine, body }]), [202]);
    const previews = () => slack.callsOf('chat.postMessage').filter((c) => c.args.channel === GITOPS_CHANNEL);
    const [preview] = await waitFor(async () => (previews().length ? previews() : undefined), { what: 'the preview of the genuine push', timeoutMs: 20_000 });
    // A forged delivery that got through would be named among the reasons here ("…, after N more").
    assert.match(JSON.stringify(preview!.args), new RegExp(`Posted because the fleet repository moved to ${sha.slice(0, 12)} \\(github push of ${sha.slice(0, 12)}\\)`));
    const replays = Array.from({ length: 20 }, () => ({ kind: 'gitops: verbatim replay', headers: genuine, body }));
    (await fire(hookUrl, replays, 4)).forEach((st) => count('gitops: verbatim replay', st === 409));
    // A replay under a new delivery id cannot be told from a push (the signature does not cover headers):
    // it is accepted, and the look it causes finds the revision already previewed.
    const looked = () => bot.logs.filter((l) => l.includes('already-previewed')).length;
    const before = looked();
    assert.deepEqual(new Set(await fire(hookUrl, [{ kind: 'replay', headers: { ...genuine, 'x-github-delivery': randomUUID() }, body }])), new Set([202]));
    await waitFor(async () => looked() > before, { what: 'the look caused by the re-identified replay', timeoutMs: 10_000 });
    assert.equal(previews().length, 1, 'the genuine push posted once; nothing forged or replayed posted');

    const refusedEntries = (await bot.rt.audit.latest(1000)).filter((e) => e.action === 'gitops.webhook' && e.outcome === 'refused');
    assert.equal(refusedEntries.length, 1, `113 refusals from one address within a minute are one audit entry: ${refusedEntries.map((e) => e.detail).join(' | ')}`);
    assert.match(refusedEntries[0]!.detail, /^refused from (::ffff:)?127\.0\.0\.1: /);
    assert.equal(bot.logs.filter((l) => l.includes('gitops webhook refused')).length, 1, 'and one log line');
  });

  it('nothing reached the core: no job queued, nothing audited, nothing posted for a forged request', async (t) => {
    const total = [...tally.values()].reduce((a, b) => a + b.sent, 0);
    const refused = [...tally.values()].reduce((a, b) => a + b.refused, 0);
    t.diagnostic(`${refused}/${total} refused: ${[...tally].map(([k, v]) => `${k} ${v.refused}/${v.sent}`).join('; ')}`);
    assert.ok(total >= 1_000, `${total} requests sent`);
    assert.equal(refused, total);
    // Give anything that wrongly got through time to show up; the genuine answers above have already arrived.
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(await bot.rt.queue.list(100), [], 'no job was queued');
    const audit = await bot.rt.audit.latest(1000);
    assert.deepEqual(audit.filter((e) => e.detail.includes('upgrade') || e.detail.includes('ltc-regtest')), [], 'nothing forged was audited as a command');
    assert.deepEqual(slack.callsOf('response_url').filter((c) => String(c.args.id).startsWith('forged-')), [], 'no forged request was answered');
    const genuineAnswers = slack.callsOf('response_url').filter((c) => String(c.args.id).startsWith('genuine-'));
    assert.ok(replayedAsRetry > 0, 'replays claiming to be retries were sent');
    assert.equal(genuineAnswers.length, 35, 'each genuine request answered once: no replay dispatched again');
    assert.deepEqual(slack.callsOf('chat.postMessage').filter((c) => JSON.stringify(c.args).includes(JOB_TEXT.split(' ')[1]!)), []);
    assert.ok(!discord.calls.some((c) => /\/webhooks\//.test(c.route) && JSON.stringify(c.body ?? '').includes('ltc-regtest')), 'no Discord follow-up for a forged interaction');
  });

  it('no secret in what the bot sent to Slack and Discord or in its logs', () => {
    assertNoSecrets({ SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, DISCORD_TOKEN: discord.token, CHAINOPS_GITOPS_WEBHOOK_SECRET: HOOK_SECRET }, [...slackStandInRecords(slack), ...discordStandInRecords(discord), ...logRecords(bot.logs)], 'stand-in bodies and logs');
  });
});
