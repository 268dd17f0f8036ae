import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import { startRedisServer, type RedisServerHandle } from '../../adapters/local/redis-server.process.ts';
import type { ChatEvent } from '../../src/chat/chat-event.ts';
import type { Message } from '../../src/chat/message.ts';
import { guardSettingsFromEnv } from '../../src/fleet/fleet-guard.settings.ts';
import { createRuntime, type Runtime } from '../../src/main/runtime.ts';
import { createDispatch } from '../../src/pipeline/create-dispatch.ts';
import { runCli } from '../helpers/run-cli.ts';

// Whoever can merge to the fleet repository must not be able to make the bot hand out its own
// secrets or read and run files outside the repository. Each hostile file is refused by
// `chainops config check` (a real process) and by `/chainops sync` from a real git repository, with
// the field's path and the reason, and the running config stays in force.
const exec = promisify(execFile);

const base = (o: { node?: string; group?: string; top?: string } = {}) => `version: 1
name: hostile
environments:
  prod: { thresholds: { min_peers: 0 } }
groups:
  eth: { chain: ethereum, network: devnet, client: geth, desired_version: 1.14.3, rpc: { kind: eth }${o.group ?? ''} }
nodes:
  - { name: eth-1, group: eth, env: prod, rpc_url: "http://127.0.0.1:1"${o.node ?? ''} }
${o.top ?? ''}roles:
  viewer: { console: ["*"] }
  admin: { console: [alice, adam] }
`;

interface Case {
  name: string;
  fleet: string;
  path: string;
  why: RegExp;
}

const CASES: Case[] = [
  { name: 'chat token by env name', fleet: base({ node: ', rpc_auth: { username: x, password_env: SLACK_BOT_TOKEN }' }), path: 'nodes[0].rpc_auth.password_env', why: /SLACK_BOT_TOKEN may not be named by the fleet file — rename it to CHAINOPS_SECRET_SLACK_BOT_TOKEN/ },
  { name: 'Redis URL by env name', fleet: base({ node: ', rpc_auth: { username: x, password_env: REDIS_URL }' }), path: 'nodes[0].rpc_auth.password_env', why: /REDIS_URL may not be named/ },
  { name: 'cookie file /proc/self/environ', fleet: base({ node: ', rpc_auth: { cookie_file: /proc/self/environ }' }), path: 'nodes[0].rpc_auth.cookie_file', why: /\/proc\/self\/environ is outside the secrets directory/ },
  { name: 'cookie file with ..', fleet: base({ node: ', rpc_auth: { cookie_file: ../../etc/passwd }' }), path: 'nodes[0].rpc_auth.cookie_file', why: /contains "\.\."/ },
  { name: 'cookie file symlink escape', fleet: base({ node: ', rpc_auth: { cookie_file: evil.cookie }' }), path: 'nodes[0].rpc_auth.cookie_file', why: /symlink that leads to \/proc\/(self|\d+)\/environ/ },
  { name: 'absolute playbook', fleet: base({ group: ', playbook: /etc/evil.yml' }), path: 'groups.eth.playbook', why: /"\/etc\/evil\.yml" is an absolute path/ },
  { name: '.. playbook', fleet: base({ group: ', playbook: ../outside.yml' }), path: 'groups.eth.playbook', why: /"\.\.\/outside\.yml" contains "\.\."/ },
  { name: 'playbook symlink escape', fleet: base({ group: ', playbook: linked.yml' }), path: 'groups.eth.playbook', why: /"linked\.yml" is a symlink .* outside the fleet repository/ },
  { name: 'playbook under a symlinked dir', fleet: base({ group: ', playbook: outdir/up.yml' }), path: 'groups.eth.playbook', why: /"outdir\/up\.yml" is a symlink \(or lies under one\)/ },
  { name: 'absolute Terraform module', fleet: base({ group: ', terraform: { module: /opt/evil }' }), path: 'groups.eth.terraform.module', why: /"\/opt\/evil" is an absolute path/ },
  { name: '.. Terraform dir', fleet: base({ top: 'terraform: { dir: ../.. }\n' }), path: 'terraform.dir', why: /contains "\.\."/ },
  { name: 'absolute plan_dir', fleet: base({ top: 'terraform: { plan_dir: /tmp/plans }\n' }), path: 'terraform.plan_dir', why: /is an absolute path/ },
  { name: 'absolute Terraform binary', fleet: base({ top: 'terraform: { binary: /tmp/evil/terraform }\n' }), path: 'terraform.binary', why: /absolute binary \/tmp\/evil\/terraform may not be chosen/ },
  { name: 'Terraform env naming a chat token', fleet: base({ group: ', terraform: { module: local, env: { AWS_SECRET_ACCESS_KEY: DISCORD_TOKEN } }' }), path: 'groups.eth.terraform.env.AWS_SECRET_ACCESS_KEY', why: /DISCORD_TOKEN may not be named/ },
  { name: 'alert action playbook through a symlinked dir', fleet: base({ top: 'alerts: { actions: [{ name: resync, playbook: outdir/up.yml }] }\n' }), path: 'alerts.actions[0].playbook', why: /symlink/ },
];

let root: string;
let fleetDir: string;
let secretsDir: string;
let env: NodeJS.ProcessEnv;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'chainops-hostile-'));
  fleetDir = join(root, 'fleet');
  secretsDir = join(root, 'secrets');
  const outside = join(root, 'outside');
  await Promise.all([mkdir(fleetDir), mkdir(secretsDir), mkdir(outside)]);
  await writeFile(join(outside, 'up.yml'), '- hosts: all\n  tasks: []\n');
  await symlink(join(outside, 'up.yml'), join(fleetDir, 'linked.yml'));
  await symlink(outside, join(fleetDir, 'outdir'));
  await symlink('/proc/self/environ', join(secretsDir, 'evil.cookie'));
  await writeFile(join(fleetDir, 'up.yml'), '- hosts: all\n  tasks: []\n');
  await writeFile(join(secretsDir, 'ltc.cookie'), '__cookie__:abc\n');
  env = { CHAINOPS_SECRETS_DIR: secretsDir, CHAINOPS_SECRET_PREFIX: '', CHAINOPS_SECRET_ALLOW: '', CHAINOPS_FLEET_ROOT: '', CHAINOPS_TOOL_ALLOW: '' };
});

after(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

describe('config check refuses hostile fleet files', () => {
  for (const c of CASES) {
    it(`${c.name}: ${c.path}`, async () => {
      const file = join(fleetDir, `${c.name.replace(/[^a-z0-9]+/gi, '-')}.yaml`);
      await writeFile(file, c.fleet);
      const r = await runCli(['config', 'check', file], env);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      const line = r.stderr.split('\n').find((l) => l.includes(`✖ ${c.path} (line`));
      assert.ok(line, `a problem at ${c.path}:\n${r.stderr}`);
      assert.match(line, c.why);
    });
  }

  it('the same fleet with a CHAINOPS_SECRET_ name, a cookie under the secrets dir and relative paths is valid', async () => {
    const file = join(fleetDir, 'good.yaml');
    await writeFile(file, base({ node: ', rpc_auth: { username: x, password_env: CHAINOPS_SECRET_ETH_RPC }', group: ', playbook: up.yml, terraform: { module: local, env: { AWS_SECRET_ACCESS_KEY: CHAINOPS_SECRET_AWS_KEY } }' }).replace('roles:', 'terraform: { dir: ., plan_dir: plans }\nroles:'));
    const r = await runCli(['config', 'check', file], env);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const cookie = join(fleetDir, 'cookie.yaml');
    await writeFile(cookie, base({ node: ', rpc_auth: { cookie_file: ltc.cookie }' }));
    assert.equal((await runCli(['config', 'check', cookie], env)).code, 0);
  });

  it('an operator allowlist (set in the environment) admits one more name; a custom prefix replaces the default', async () => {
    const file = join(fleetDir, 'allow.yaml');
    await writeFile(file, base({ node: ', rpc_auth: { username: x, password_env: LTC_RPC_PASSWORD }' }));
    assert.equal((await runCli(['config', 'check', file], env)).code, 1);
    assert.equal((await runCli(['config', 'check', file], { ...env, CHAINOPS_SECRET_ALLOW: 'OTHER,LTC_RPC_PASSWORD' })).code, 0);
    assert.equal((await runCli(['config', 'check', file], { ...env, CHAINOPS_SECRET_PREFIX: 'LTC_' })).code, 0);
  });
});

describe('/chainops sync refuses hostile fleet files from git', () => {
  let redis: RedisServerHandle;
  let repo: string;
  let rt: Runtime;

  const commit = async (text: string, msg: string) => {
    await writeFile(join(repo, 'chainops.yaml'), text);
    await exec('git', ['-C', repo, 'add', 'chainops.yaml']);
    await exec('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', 'commit', '-q', '--allow-empty', '-m', msg]);
  };

  const say = async (user: string, text: string): Promise<Message> => {
    const replies: Message[] = [];
    const event: ChatEvent = { kind: 'command', actor: { platform: 'console', id: user, roleIds: [] }, conversation: { platform: 'console', channelId: 'console' }, text };
    await createDispatch(rt.core)(event, async (m) => void replies.push(m));
    assert.equal(replies.length, 1);
    return replies[0]!;
  };

  before(async () => {
    redis = await startRedisServer({ appendonly: false });
    repo = join(root, 'repo');
    await exec('git', ['init', '-q', '-b', 'main', repo]);
    await commit(base(), 'v1');
    const local = join(fleetDir, 'chainops.yaml');
    await writeFile(local, base());
    rt = await createRuntime({
      redisUrl: redis.url, prefix: `t-${randomUUID().slice(0, 8)}`, fleetPath: local, logger: pino({ level: 'silent' }),
      fleetGit: { repo, ref: 'main', path: 'chainops.yaml', cacheDir: join(root, 'cache') }, fleetPollMs: 100,
      guard: guardSettingsFromEnv(env, local),
    });
  });

  after(async () => {
    await rt?.close();
    await redis?.stop();
  });

  const rows = (m: Message) => m.blocks.flatMap((b) => (b.type === 'table' ? b.rows : []));

  it('the preview shows every security-relevant change in full', async () => {
    const hostKey = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKx1Zb3cG0m1Q7w3n4Jm5yK8s9T2v6uPq1RrS0tUvWxY';
    await commit(base({
      node: `, rpc_url: "http://10.6.6.6:8545", rpc_auth: { username: ops, password_env: CHAINOPS_SECRET_ETH }, ssh: { host: 10.6.6.6, user: admin, host_key: "${hostKey}" }`,
      group: ', playbook: up.yml',
      top: 'alerts: { routes: [{ env: prod, console: elsewhere }] }\n',
    }).replace('rpc_url: "http://127.0.0.1:1", rpc_url', 'rpc_url').replace('environments:\n  prod: { thresholds: { min_peers: 0 } }', 'environments:\n  prod: { thresholds: { min_peers: 0 }, approval: { required: 2 } }'), 'preview');
    const m = await say('alice', '/chainops sync');
    const table = rows(m).map((r) => r.join(' | '));
    const has = (re: RegExp) => assert.ok(table.some((r) => re.test(r)), `${re} in:\n${table.join('\n')}`);
    has(/^nodes\.eth-1\.rpc_url \| http:\/\/127\.0\.0\.1:1 \| http:\/\/10\.6\.6\.6:8545$/);
    has(/^nodes\.eth-1\.rpc_auth\.password_env \| — \| CHAINOPS_SECRET_ETH$/);
    has(/^nodes\.eth-1\.ssh\.host \| — \| 10\.6\.6\.6$/);
    assert.ok(table.includes(`nodes.eth-1.ssh.host_key | — | ${hostKey}`), `the pinned host key in full:\n${table.join('\n')}`);
    has(/^groups\.eth\.playbook \| — \| up\.yml$/);
    has(/^alerts\.routes/);
    has(/^environments\.prod\.approval\.required \| 0 \| 2$/);
  });

  it('a change that widens a role or weakens an approval rule needs a second admin to apply', async () => {
    await commit(base().replace('admin: { console: [alice, adam] }', 'admin: { console: [alice, adam, mallory] }'), 'widen');
    const preview = await say('alice', '/chainops sync');
    const warn = rows(preview).find((r) => r[0] === '⚠ second admin needed');
    assert.deepEqual(warn, ['⚠ second admin needed', '', 'roles.admin.console gains mallory']);
    const rev = /Sync preview: ([0-9a-f]{12})/.exec(preview.blocks.map((b) => JSON.stringify(b)).join('\n'))![1]!;
    const before = rt.fleet();
    const first = await say('alice', `/chainops sync apply ${rev}`);
    assert.match(first.text, /not in force yet: it roles\.admin\.console gains mallory\. A second admin must apply it too/);
    assert.equal(rt.fleet(), before);
    const again = await say('alice', `/chainops sync apply ${rev}`);
    assert.match(again.text, /You already applied .* a different admin must apply it too/);
    assert.equal(rt.fleet(), before);
    const second = await say('adam', `/chainops sync apply ${rev}`);
    assert.match(second.text, /is in force/);
    assert.deepEqual(rt.fleet().roles.admin!.console, ['alice', 'adam', 'mallory']);
  });

  const WEAKER: Array<[string, (f: string) => string, RegExp]> = [
    ['approvals turned off in prod', (f) => f.replace('prod: { thresholds: { min_peers: 0 } }', 'prod: { thresholds: { min_peers: 0 }, approval: { required: 0, self_approval: true } }'), /self_approval turns on/],
    ['console impersonation turned on', (f) => f.replace('roles:', 'console: { allow_impersonation: true }\nroles:'), /console\.allow_impersonation turns on/],
    ['a scoped grant added', (f) => f.replace('roles:', 'grants: [{ role: admin, envs: [prod], console: [eve] }]\nroles:'), /grants: admin in prod for eve/],
  ];
  for (const [name, change, why] of WEAKER) {
    it(`${name}: one admin is not enough`, async () => {
      const text = change(base().replace('admin: { console: [alice, adam] }', 'admin: { console: [alice, adam, mallory] }'));
      await commit(text, name);
      const preview = await say('alice', '/chainops sync');
      const rev = /Sync preview: ([0-9a-f]{12})/.exec(preview.blocks.map((b) => JSON.stringify(b)).join('\n'))![1]!;
      assert.ok(rows(preview).some((r) => r[0] === '⚠ second admin needed' && why.test(r[2]!)), JSON.stringify(rows(preview)));
      const before = rt.fleet();
      assert.match((await say('adam', `/chainops sync apply ${rev}`)).text, /A second admin must apply it too/);
      assert.equal(rt.fleet(), before);
      assert.match((await say('alice', `/chainops sync apply ${rev}`)).text, /is in force/);
    });
  }

  for (const c of CASES) {
    it(`${c.name}: refused with ${c.path}; apply refused too; the config in force is unchanged`, async () => {
      const before = rt.fleet();
      const { rev } = rt.fleetView.base();
      await commit(c.fleet, c.name);
      const m = await say('alice', '/chainops sync');
      const text = [m.text, ...m.blocks.map((b) => JSON.stringify(b))].join('\n');
      assert.equal(m.severity, 'error', text);
      const problem = text.split(/\\n|\n/).find((l) => l.includes(`✖ ${c.path} (line`));
      assert.ok(problem, `a problem at ${c.path}:\n${text}`);
      assert.match(problem.replace(/\\"/g, '"'), c.why);
      const newRev = /Sync refused: ([0-9a-f]{12})/.exec(text)![1]!;
      const forced = await say('alice', `/chainops sync apply ${newRev}`);
      assert.match(forced.blocks.map((b) => JSON.stringify(b)).join('\n'), /Sync refused/);
      assert.equal(rt.fleet(), before, 'the very same fleet object is still in force');
      assert.equal(rt.fleetView.base().rev, rev);
    });
  }
});
