import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import pino from 'pino';
import { startRedisServer, type RedisServerHandle } from '../../adapters/local/redis-server.process.ts';
import type { ChatEvent, MessageRef } from '../../src/chat/chat-event.ts';
import type { Button, Message } from '../../src/chat/message.ts';
import { createRuntime, type Runtime } from '../../src/main/runtime.ts';
import { createDispatch } from '../../src/pipeline/create-dispatch.ts';
import { until } from '../integration/terraform-fixture.ts';

// GitOps: the fleet file lives in a real git repository (fetched with the git binary). `/chainops
// sync` previews what changes in desired state; `sync apply <rev>` (admin) puts it in force on every
// replica; a broken file is refused with its problems and the running config stays.
const git = promisify(execFile);
let redis: RedisServerHandle;
let repo: string;
let local: string;
let cache: string;
let a: Runtime;
let b: Runtime;

const fleet = (opts: { version: string; lag: number; extra?: string; third?: boolean }) => `version: 1
name: gitops
environments:
  prod:
    approval: { required: 1 }
    thresholds: { max_lag_blocks: ${opts.lag}, min_peers: 0 }
groups:
  eth: { chain: ethereum, network: devnet, client: geth, desired_version: ${opts.version}, rpc: { kind: eth } }
nodes:
  - { name: eth-1, group: eth, env: prod, rpc_url: "http://127.0.0.1:1" }
  - { name: eth-2, group: eth, env: prod, rpc_url: "http://127.0.0.1:2" }
${opts.third ? '  - { name: eth-3, group: eth, env: prod, rpc_url: "http://127.0.0.1:3" }\n' : ''}${opts.extra ?? ''}roles:
  viewer: { console: ["*"] }
  operator: { console: [carol] }
  admin: { console: [alice] }
`;

async function commit(text: string, message: string): Promise<void> {
  await writeFile(join(repo, 'fleets', 'chainops.yaml'), text);
  await git('git', ['-C', repo, 'add', 'fleets/chainops.yaml']);
  await git('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', message]);
}

before(async () => {
  redis = await startRedisServer({ appendonly: false });
  const root = await mkdtemp(join(tmpdir(), 'chainops-gitops-'));
  repo = join(root, 'fleet-repo');
  cache = join(root, 'cache');
  local = join(root, 'chainops.yaml');
  await git('git', ['init', '-q', '-b', 'main', repo]);
  await git('git', ['-C', repo, 'config', 'commit.gpgsign', 'false']);
  await mkdir(join(repo, 'fleets'));
  const v1 = fleet({ version: '1.14.3', lag: 5 });
  await commit(v1, 'v1');
  await writeFile(local, v1);
  const prefix = `t-${randomUUID().slice(0, 8)}`;
  const logger = pino({ level: 'silent' });
  const fleetGit = { repo, ref: 'main', path: 'fleets/chainops.yaml', cacheDir: cache };
  a = await createRuntime({ redisUrl: redis.url, prefix, fleetPath: local, logger, fleetGit, fleetPollMs: 100 });
  // A second replica (another bot or worker process) on the same Redis.
  b = await createRuntime({ redisUrl: redis.url, prefix, fleetPath: local, logger, fleetGit: { ...fleetGit, cacheDir: `${cache}-b` }, fleetPollMs: 100 });
});

after(async () => {
  await a?.close();
  await b?.close();
  await redis?.stop();
  if (repo) await rm(join(repo, '..'), { recursive: true, force: true });
});

async function say(user: string, text: string, rt: Runtime = a): Promise<Message> {
  const replies: Message[] = [];
  const event: ChatEvent = { kind: 'command', actor: { platform: 'console', id: user, roleIds: [] }, conversation: { platform: 'console', channelId: 'console' }, text };
  await createDispatch(rt.core)(event, async (m) => (replies.push(m), { platform: 'console', channelId: 'console', messageId: 'm1' } satisfies MessageRef));
  assert.equal(replies.length, 1, replies.map((r) => r.text).join(' | '));
  return replies[0]!;
}

const rows = (m: Message) => m.blocks.flatMap((x) => (x.type === 'table' ? x.rows : []));
const all = (m: Message) => [m.text, ...m.blocks.map((x) => JSON.stringify(x))].join('\n');

test('sync with nothing new says so', async () => {
  const m = await say('carol', '/chainops sync');
  assert.match(m.text, /matches git .*main:fleets\/chainops\.yaml/);
});

test('sync previews the change in desired state; apply (admin only) puts it in force on every replica', async () => {
  await commit(fleet({ version: '1.14.4', lag: 3, third: true }), 'bump geth, tighten lag, add eth-3');
  const preview = await say('carol', '/chainops sync');
  const changes = rows(preview);
  const row = (what: string) => changes.find((r) => r[0] === what);
  assert.deepEqual(row('groups.eth.desired_version'), ['groups.eth.desired_version', '1.14.3', '1.14.4']);
  assert.deepEqual(row('environments.prod.thresholds.max_lag_blocks'), ['environments.prod.thresholds.max_lag_blocks', '5', '3']);
  assert.deepEqual(row('nodes in prod/eth'), ['nodes in prod/eth', '2', '3']);
  assert.deepEqual(row('node eth-3'), ['node eth-3', '—', 'added (prod/eth)']);
  assert.equal(a.fleet().groups['eth']!.desired_version, '1.14.3', 'a preview changes nothing');
  const apply = preview.blocks.flatMap((x) => (x.type === 'actions' ? x.buttons : [])).find((x: Button) => x.actionId === 'sync-apply');
  assert.ok(apply && /^[0-9a-f]{12}$/.test(apply.value));

  const refused = await say('carol', `/chainops sync apply ${apply.value}`);
  assert.match(refused.text, /needs the admin role/);
  assert.equal(a.fleet().groups['eth']!.desired_version, '1.14.3');

  const wrong = await say('alice', '/chainops sync apply 000000000000');
  assert.match(wrong.text, /the source moved on/);

  // The Apply button, clicked by an admin.
  const replies: Message[] = [];
  await createDispatch(a.core)({ kind: 'action', actor: { platform: 'console', id: 'alice', roleIds: [] }, conversation: { platform: 'console', channelId: 'console' }, actionId: apply.actionId, value: apply.value }, async (m) => (replies.push(m), undefined));
  assert.match(replies[0]!.text, new RegExp(`Fleet file ${apply.value} is in force`));
  assert.equal(a.fleet().groups['eth']!.desired_version, '1.14.4');
  assert.equal(a.fleet().environments['prod']!.thresholds.max_lag_blocks, 3);
  assert.equal(a.fleet().nodes.length, 3);
  await until(async () => b.fleet().groups['eth']!.desired_version === '1.14.4', 'the other replica to load the synced fleet', 10_000);
  assert.equal(b.fleet().nodes.length, 3);
  assert.ok((await a.audit.latest(5)).some((e) => e.action === 'fleet.sync' && e.actor === 'console:alice' && e.outcome === 'ok'));
});

test('a broken fleet file is refused with its problems, and the running config stays in force', async () => {
  const before = a.fleet();
  await commit(fleet({ version: 'not-a-version', lag: 3, third: true, extra: 'colour: blue\n' }), 'broken');
  const m = await say('carol', '/chainops sync');
  assert.equal(m.severity, 'error');
  const text = all(m);
  assert.match(text, /Sync refused: [0-9a-f]{12} is not a valid fleet file/);
  assert.match(text, /groups\.eth\.desired_version \(line \d+\): use a version such as 1\.14\.3/);
  assert.match(text, /unknown key \\?"colour\\?"/);
  assert.match(text, /stays in force/);
  const rev = /Sync refused: ([0-9a-f]{12})/.exec(text)![1]!;
  const forced = await say('alice', `/chainops sync apply ${rev}`);
  assert.match(all(forced), /Sync refused/);
  assert.equal(a.fleet(), before, 'the very same fleet object is still in force');
  assert.equal(a.fleet().groups['eth']!.desired_version, '1.14.4');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(b.fleet().groups['eth']!.desired_version, '1.14.4');
});

test('a restarted replica comes up with the synced fleet, not the stale bootstrap file', async () => {
  const c = await createRuntime({ redisUrl: redis.url, prefix: a.prefix, fleetPath: local, logger: pino({ level: 'silent' }), fleetGit: { repo, ref: 'main', path: 'fleets/chainops.yaml', cacheDir: `${cache}-c` } });
  try {
    assert.equal(c.fleet().groups['eth']!.desired_version, '1.14.4');
  } finally {
    await c.close();
  }
});
