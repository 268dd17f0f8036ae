/**
 * A release arriving, end to end on Slack: the real `chainops all` process polls a GitHub stand-in
 * (GITHUB_API_URL, with a token from its environment) for the group's releases, posts the newest one
 * once in the group's channel with its buttons; Ignore from the button edits the post in place; an
 * upgrade to a version GitHub does not list warns on the approval card. The token is sent to GitHub
 * only and appears nowhere in Slack or the logs.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { freePort } from '../../adapters/local/free-port.ts';
import { startRedisServer, type RedisServerHandle } from '../../adapters/local/redis-server.process.ts';
import { waitFor } from '../../adapters/local/wait-for.ts';
import { startBotProcess, type BotProcess } from '../helpers/bot-process.ts';
import { writeE2eFleet } from '../helpers/e2e-fleet.ts';
import { assertNoSecrets, logRecords, slackStandInRecords } from '../helpers/secret-scan.ts';
import { formBody, interactiveBody, postSigned } from '../helpers/slack-sign.ts';
import { startSlackStandIn, type SlackCall, type SlackStandIn } from '../stand-ins/slack-api.stand-in.ts';
import { startGithubApiStandIn, type GithubApiStandIn } from '../stand-ins/github-api.stand-in.ts';
import { blockActions, slashCommandFields, TEAM } from '../stand-ins/slack-payloads.ts';

const BOT_TOKEN = `xoxb-e2e-${randomBytes(12).toString('hex')}`;
const SIGNING_SECRET = randomBytes(16).toString('hex');
const GITHUB_TOKEN = `ghp_${randomBytes(18).toString('hex')}`;
const OPS = 'C0RELEASES';
const CAROL = 'U0CAROL';
const REPO = 'trufflesuite/ganache';

let redis: RedisServerHandle;
let slack: SlackStandIn;
let github: GithubApiStandIn;
let proc: BotProcess;
let dir: string;
let eventsUrl: string;

before(async () => {
  [redis, slack, github] = await Promise.all([startRedisServer({ appendonly: false }), startSlackStandIn({ botToken: BOT_TOKEN }), startGithubApiStandIn()]);
  github.publish(REPO, { tag_name: 'v7.9.1', published_at: '2023-08-01T00:00:00Z' });
  github.publish(REPO, { tag_name: 'v7.9.2', name: 'v7.9.2 – Security fix', published_at: '2023-12-01T00:00:00Z', body: 'Fixes a vulnerability in the RPC server.' });
  github.publish(REPO, { tag_name: 'v8.0.0-beta.1', prerelease: true });
  dir = await mkdtemp(join(tmpdir(), 'chainops-e2e-releases-'));
  // The nodes are not running: their snapshots say unreachable, which is enough for the first post.
  const fleetPath = await writeE2eFleet(dir, {
    onlyNodes: ['eth-1', 'eth-2', 'eth-3'],
    urls: { 'eth-1': 'http://127.0.0.1:9/', 'eth-2': 'http://127.0.0.1:9/', 'eth-3': 'http://127.0.0.1:9/' },
    slack: { channel: OPS, operators: [`${TEAM}/${CAROL}`] },
    healthInterval: '1s',
    set: [[['groups', 'eth-devnet', 'releases'], { source: 'github', repo: REPO, range: '^7' }]],
  });
  const port = await freePort();
  proc = await startBotProcess('all', {
    REDIS_URL: redis.url, CHAINOPS_CONFIG: fleetPath, CHAINOPS_PREFIX: `e2e-rel-${randomBytes(3).toString('hex')}`, LOG_LEVEL: 'debug',
    SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: slack.url, PORT: String(port),
    GITHUB_API_URL: github.url, GITHUB_TOKEN, CHAINOPS_RELEASE_TICK_MS: '1000', CHAINOPS_SECRET_LTC_RPC_PASSWORD: 'unused-here',
  });
  eventsUrl = `http://127.0.0.1:${port}/slack/events`;
});

after(async () => {
  await proc?.stop().catch(() => undefined);
  await Promise.all([slack?.stop(), github?.stop(), redis?.stop()].map((p) => p?.catch(() => undefined)));
  if (dir) await rm(dir, { recursive: true, force: true });
});

const until = <T>(what: string, probe: () => T | undefined, timeoutMs = 30_000) => waitFor(async () => probe(), { what, timeoutMs, intervalMs: 100 });
const buttons = (blocks: unknown[] | undefined) =>
  (blocks ?? []).flatMap((b) => ((b as { type: string }).type === 'actions' ? (b as { elements: Array<{ action_id: string; value?: string; text: { text: string } }> }).elements : []));
const releasePosts = () => slack.callsOf('chat.postMessage').filter((c: SlackCall) => c.status === 200 && /New ganache release/.test(c.args.text ?? ''));

test('Slack: a new GitHub release is posted once with its buttons; Ignore edits it; upgrade to an unlisted version warns', async () => {
  const post = await until('the release post', () => releasePosts()[0]);
  assert.equal(post.args.channel, OPS);
  assert.match(post.args.text ?? '', /New ganache release 7\.9\.2 for eth-devnet 🔒 security/);
  assert.match(JSON.stringify(post.args.blocks), /2023-12-01T00:00:00Z/);
  assert.match(JSON.stringify(post.args.blocks), /github\.com\/trufflesuite\/ganache\/releases\/tag\/v7\.9\.2/);
  assert.deepEqual(buttons(post.args.blocks).map((b) => [b.action_id, b.value, b.text.text]), [
    ['release-upgrade-dev', 'eth-devnet 7.9.2 --env prod', 'Upgrade prod'],
    ['release-promote', 'eth-devnet 7.9.2', 'Start promotion'],
    ['release-ignore', 'eth-devnet 7.9.2', 'Ignore this version'],
  ]);
  const polls = github.requests.filter((r) => r.path === `/repos/${REPO}/releases`);
  assert.ok(polls.length >= 1 && polls.every((r) => r.authorization === `Bearer ${GITHUB_TOKEN}`));

  // Carol (operator) ignores it from the button: the post is edited in place, without buttons.
  const ignore = buttons(post.args.blocks).find((b) => b.action_id === 'release-ignore')!;
  const ts = String(post.response.ts);
  const click = interactiveBody(blockActions({ actionId: 'release-ignore', value: ignore.value!, user: CAROL, channel: OPS, messageTs: ts, responseUrl: slack.responseUrl('ignore') }));
  assert.equal((await postSigned(eventsUrl, SIGNING_SECRET, click)).status, 200);
  const answer = await until('the ignore answer', () => slack.callsOf('response_url').find((c) => c.args.id === 'ignore'));
  assert.match(answer.args.text, /eth-devnet 7\.9\.2 is ignored/);
  const edited = await until('the post edited', () => slack.callsOf('chat.update').find((c) => c.args.ts === ts && /Ignored by slack:T0STANDIN\/U0CAROL/.test(JSON.stringify(c.args.blocks))));
  assert.equal(buttons(edited.args.blocks).length, 0);

  // An upgrade to a version GitHub does not list: the approval card warns.
  const res = await postSigned(eventsUrl, SIGNING_SECRET, formBody(slashCommandFields({ text: 'upgrade eth-devnet 7.9.9 --env prod', user: CAROL, channel: OPS, responseUrl: slack.responseUrl('req') })));
  assert.equal(res.status, 200);
  const card = await until('the approval card', () => slack.callsOf('chat.postMessage').find((c) => c.status === 200 && buttons(c.args.blocks).some((b) => b.action_id === 'approve')));
  assert.match(JSON.stringify(card.args.blocks), /7\.9\.9 is not a release listed by GitHub trufflesuite\/ganache \(range \^7, no pre-releases\)/);

  // One post: the older 7.9.1 is the silent baseline, the newer 8.0.0-beta.1 is a pre-release outside ^7.
  assert.equal(releasePosts().length, 1);

  const records = [...slackStandInRecords(slack), ...logRecords(proc.stdout().split('\n'), 'stdout'), ...logRecords(proc.stderr().split('\n'), 'stderr')];
  assertNoSecrets({ GITHUB_TOKEN, BOT_TOKEN, SIGNING_SECRET }, records, 'Slack stand-in bodies and process output');
});
