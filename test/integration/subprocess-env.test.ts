import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { git } from '../../adapters/git/git.process.ts';
import { TerraformRunner } from '../../adapters/terraform/terraform.runner.ts';
import { toolEnv } from '../../src/secrets/tool-env.ts';
import { assertNoSecrets } from '../helpers/secret-scan.ts';
import { requireTerraform } from './terraform-fixture.ts';

// Subprocesses get an allowlisted environment: a Terraform `local-exec` and git's own hooks see PATH
// and HOME and what the group's terraform.env names (through the secret-name rule), never the chat
// tokens, the Redis URL or RPC passwords the worker holds.
const SECRETS = {
  SLACK_BOT_TOKEN: 'xoxb-1111-2222-leakcheck-token',
  DISCORD_TOKEN: 'discord-token-leakcheck-9f8e7d',
  REDIS_PASSWORD: 'redis-pw-leakcheck-42',
  CHAINOPS_SECRET_RPC: 'rpc-pw-leakcheck-77',
};
const AWS = 'aws-secret-the-group-asked-for';
const source: NodeJS.ProcessEnv = {
  PATH: process.env['PATH'],
  HOME: process.env['HOME'],
  LANG: 'C.UTF-8',
  https_proxy: 'http://proxy.internal:3128',
  SLACK_BOT_TOKEN: SECRETS.SLACK_BOT_TOKEN,
  DISCORD_TOKEN: SECRETS.DISCORD_TOKEN,
  REDIS_URL: `redis://:${SECRETS.REDIS_PASSWORD}@127.0.0.1:6379`,
  CHAINOPS_SECRET_RPC: SECRETS.CHAINOPS_SECRET_RPC,
  CHAINOPS_SECRET_AWS: AWS,
};

let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chainops-env-'));
});

after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('subprocess environments', () => {
  it('the allowlist: PATH, HOME, locale, proxies, and named variables only through the secret-name rule', () => {
    const env = toolEnv('terraform', source, { AWS_SECRET_ACCESS_KEY: 'CHAINOPS_SECRET_AWS', STOLEN: 'SLACK_BOT_TOKEN' });
    assert.deepEqual(Object.keys(env).sort(), ['AWS_SECRET_ACCESS_KEY', 'HOME', 'LANG', 'PATH', 'https_proxy']);
    assert.equal(env['AWS_SECRET_ACCESS_KEY'], AWS);
    assert.deepEqual(Object.keys(toolEnv('git', { ...source, SSH_AUTH_SOCK: '/run/agent' })).sort(), ['HOME', 'LANG', 'PATH', 'SSH_AUTH_SOCK', 'https_proxy']);
    assert.ok('X_OPERATOR' in toolEnv('ansible', { ...source, X_OPERATOR: '1', CHAINOPS_TOOL_ENV: 'X_OPERATOR' }), 'the operator may add names in CHAINOPS_TOOL_ENV');
  });

  it('a Terraform local-exec that dumps its environment finds none of the secrets, and the variable its group named', async () => {
    await requireTerraform();
    const mod = join(dir, 'dump');
    await rm(mod, { recursive: true, force: true });
    await import('node:fs/promises').then((fs) => fs.mkdir(mod));
    await writeFile(join(mod, 'main.tf'), `
variable "env" { type = string }
variable "group" { type = string }
variable "node_names" { type = list(string) }
variable "shape" {
  type    = any
  default = null
}
resource "terraform_data" "dump" {
  provisioner "local-exec" {
    command = "env > \${path.module}/env.txt"
  }
}
`);
    await writeFile(join(dir, 'cli.tfrc'), '');
    const tf = new TerraformRunner({ env: source, cliConfigFile: join(dir, 'cli.tfrc'), timeoutMs: 120_000 });
    const wd = { moduleDir: mod, workspace: 'dev-dump', env: { AWS_SECRET_ACCESS_KEY: 'CHAINOPS_SECRET_AWS', STOLEN: 'SLACK_BOT_TOKEN' } };
    await tf.init(wd);
    const plan = await tf.plan({ dir: wd, vars: { env: 'dev', group: 'dump', node_names: [], shape: null }, planFile: join(dir, 'dump.tfplan') });
    await tf.apply(wd, plan.file);
    const dumped = await readFile(join(mod, 'env.txt'), 'utf8');
    assert.match(dumped, /^PATH=/m);
    assert.match(dumped, new RegExp(`^AWS_SECRET_ACCESS_KEY=${AWS}$`, 'm'));
    assert.doesNotMatch(dumped, /^STOLEN=/m);
    assertNoSecrets(SECRETS, [{ where: 'terraform local-exec env', value: dumped }]);
  });

  it('git runs with the allowlist too (a hook in the repository that dumps its environment)', async () => {
    const repo = join(dir, 'repo');
    await git(['init', '-q', repo]);
    await writeFile(join(repo, '.git', 'hooks', 'pre-commit'), `#!/bin/sh\nenv > ${join(dir, 'git-env.txt')}\n`, { mode: 0o755 });
    const saved = { ...process.env };
    Object.assign(process.env, { SLACK_BOT_TOKEN: SECRETS.SLACK_BOT_TOKEN, DISCORD_TOKEN: SECRETS.DISCORD_TOKEN, REDIS_URL: source['REDIS_URL'], CHAINOPS_SECRET_RPC: SECRETS.CHAINOPS_SECRET_RPC });
    try {
      await git(['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', 'commit', '-q', '--allow-empty', '-m', 'x']);
    } finally {
      for (const k of ['SLACK_BOT_TOKEN', 'DISCORD_TOKEN', 'REDIS_URL', 'CHAINOPS_SECRET_RPC']) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
    }
    const dumped = await readFile(join(dir, 'git-env.txt'), 'utf8');
    assert.match(dumped, /^PATH=/m);
    assertNoSecrets(SECRETS, [{ where: 'git hook env', value: dumped }]);
  });
});
