import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatProblems, loadFleet, parseFleet, type FleetProblem } from '../../src/fleet/fleet.load.ts';
import { ChainopsError } from '../../src/errors.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DEMO = join(ROOT, 'examples/demo/chainops.yaml');

// Line numbers matter: the assertions below name them.
const BROKEN = `version: 1
name: broken
environments:
  prod:
    approval: { required: 1 }
groups:
  eth:
    chain: ethereum
    network: devnet
    client: geth
    desired_version: "1.14.3;rm -rf /"
    rpc: { kind: eth }
    colour: blue
nodes:
  - { name: eth-1, group: eth, env: prod, rpc_url: "http://admin:hunter2@10.0.0.1:8545" }
  - { name: eth-1, group: eth, env: prod, rpc_url: "http://10.0.0.2:8545" }
  - { name: eth-3, group: nope, env: staging, rpc_url: "http://10.0.0.3:8545" }
`;

const BAD_YAML = `version: 1
name: broken
environments:
  prod: { approval: { required: 1 }
groups: {}
`;

function problem(problems: FleetProblem[], path: string): FleetProblem {
  const p = problems.find((x) => x.path === path);
  assert.ok(p, `no problem at ${path}; got ${problems.map((x) => x.path).join(', ')}`);
  return p;
}

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/main/cli.ts', ...args], { cwd: ROOT, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('fleet file validation', () => {
  it('the demo fleet validates, with defaults filled in', async () => {
    const r = parseFleet(await readFile(DEMO, 'utf8'));
    assert.ok(r.ok, r.ok ? '' : formatProblems(r.problems));
    const f = r.fleet;
    assert.deepEqual(Object.keys(f.environments), ['dev', 'prod']);
    assert.deepEqual(Object.keys(f.groups), ['eth-devnet', 'anvil-devnet', 'hardhat-devnet', 'ltc-regtest']);
    assert.deepEqual(f.nodes.map((n) => n.name), ['eth-1', 'eth-2', 'eth-3', 'eth-4', 'ltc-1', 'ltc-2']);
    // The demo's release post and promotion (issue #16): a static list, dev (eth-4) → prod.
    assert.equal(f.groups['eth-devnet']!.releases?.source, 'static');
    assert.deepEqual(f.groups['eth-devnet']!.promotion?.stages.map((s) => [s.env, s.soak]), [['dev', 20_000], ['prod', 0]]);
    assert.equal(f.environments['dev']!.thresholds.min_peers, 0, 'ganache has no peers; the dev upgrade gate would refuse eth-4');
    assert.equal(f.environments['prod']!.approval.required, 1);
    assert.equal(f.environments['prod']!.approval.expires, 30 * 60_000);
    assert.equal(f.environments['dev']!.approval.required, 0);
    assert.equal(f.environments['dev']!.thresholds.max_disk_used_pct, 85, 'default');
    assert.deepEqual(f.rollout.waves, [1, '50%', '100%']);
    assert.equal(f.health.interval, 10_000);
    assert.deepEqual(f.roles.admin?.console, ['alice']);
    assert.deepEqual(await loadFleet(DEMO), f);
  });

  it('a broken file reports every bad path with its line and a fix', () => {
    const r = parseFleet(BROKEN);
    assert.equal(r.ok, false);
    const problems = r.ok ? [] : r.problems;
    assert.equal(problems.length, 6, formatProblems(problems));

    const version = problem(problems, 'groups.eth.desired_version');
    assert.equal(version.line, 11);
    assert.match(version.message, /use a version such as 1\.14\.3/);

    const unknown = problem(problems, 'groups.eth');
    assert.equal(unknown.line, 8);
    assert.match(unknown.message, /unknown key "colour" — remove it or check the spelling/);

    const creds = problem(problems, 'nodes[0].rpc_url');
    assert.equal(creds.line, 15);
    assert.match(creds.message, /put RPC credentials in rpc_auth, never in the URL/);

    const dup = problem(problems, 'nodes[1].name');
    assert.equal(dup.line, 16);
    assert.match(dup.message, /node name "eth-1" is used twice; give each node its own name/);

    const group = problem(problems, 'nodes[2].group');
    assert.equal(group.line, 17);
    assert.match(group.message, /group "nope" is not defined; add it under groups: or use one of eth/);

    const env = problem(problems, 'nodes[2].env');
    assert.equal(env.line, 17);
    assert.match(env.message, /environment "staging" is not defined; add it under environments: or use one of prod/);

    // The report never echoes the credentials it found.
    assert.doesNotMatch(formatProblems(problems), /hunter2/);
  });

  it('each problem alone is found alone (no knock-on errors)', () => {
    const good = BROKEN.replace('"1.14.3;rm -rf /"', '1.14.3')
      .replace('    colour: blue\n', '')
      .replace('admin:hunter2@', '')
      .replace('name: eth-1, group: eth, env: prod, rpc_url: "http://10.0.0.2', 'name: eth-2, group: eth, env: prod, rpc_url: "http://10.0.0.2')
      .replace('group: nope, env: staging', 'group: eth, env: prod');
    assert.ok(parseFleet(good).ok, 'the fixed file is valid');
    for (const [bad, path] of [
      [good.replace('desired_version: 1.14.3', 'desired_version: 1.14.3;id'), 'groups.eth.desired_version'],
      [good.replace('desired_version: 1.14.3', 'desired_version: "$(id)"'), 'groups.eth.desired_version'],
      [good.replace('rpc: { kind: eth }', 'rpc: { kind: eth }\n    colour: blue'), 'groups.eth'],
      [good.replace('http://10.0.0.1', 'http://u:p@10.0.0.1'), 'nodes[0].rpc_url'],
      [good.replace('name: eth-2', 'name: eth-1'), 'nodes[1].name'],
      [good.replace('name: eth-3, group: eth', 'name: eth-3, group: nope'), 'nodes[2].group'],
      [good.replace('name: eth-3, group: eth, env: prod', 'name: eth-3, group: eth, env: qa'), 'nodes[2].env'],
      [good.replace('name: eth-3', 'name: "eth 3;ls"'), 'nodes[2].name'],
    ] as const) {
      const r = parseFleet(bad);
      assert.ok(!r.ok, `accepted: ${path}`);
      assert.deepEqual(r.problems.map((p) => p.path), [path], formatProblems(r.problems));
      assert.ok(r.problems[0]!.line! > 0);
    }
  });

  it('a YAML syntax error is reported with its line', () => {
    const r = parseFleet(BAD_YAML);
    assert.equal(r.ok, false);
    const problems = r.ok ? [] : r.problems;
    assert.ok(problems.length >= 1);
    for (const p of problems) {
      assert.equal(p.path, '(yaml)');
      assert.match(p.message, /fix the YAML syntax here/);
      assert.equal(typeof p.line, 'number', `no line for ${p.message}`);
      assert.ok(p.line! >= 4 && p.line! <= 6, `line ${p.line}`);
    }
    const dupKey = parseFleet('version: 1\nname: a\nname: b\nenvironments: { dev: {} }\ngroups: {}\n');
    assert.ok(!dupKey.ok);
    assert.equal(dupKey.problems[0]!.line, 3);
    assert.match(dupKey.problems[0]!.message, /unique/);
  });

  it('an empty file says what is missing', () => {
    const r = parseFleet('');
    assert.ok(!r.ok);
    const paths = r.problems.map((p) => p.path);
    for (const p of ['version', 'name', 'environments', 'groups']) assert.ok(paths.includes(p), `${p} in ${paths.join(', ')}`);
    assert.match(problem(r.problems, 'name').message, /missing — add this string field/);
  });

  it('loadFleet throws config_invalid listing the problems, config_missing for no file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'chainops-fleet-'));
    try {
      const file = join(dir, 'broken.yaml');
      await writeFile(file, BROKEN);
      await assert.rejects(loadFleet(file), (err: unknown) => {
        assert.ok(err instanceof ChainopsError);
        assert.equal(err.code, 'config_invalid');
        assert.match(err.message, /nodes\[1\]\.name \(line 16\)/);
        assert.match(err.message, /chainops config check/);
        return true;
      });
      await assert.rejects(loadFleet(join(dir, 'none.yaml')), (err: unknown) => err instanceof ChainopsError && err.code === 'config_missing');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('chainops config (CLI)', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chainops-cli-'));
    await writeFile(join(dir, 'broken.yaml'), BROKEN);
    await writeFile(join(dir, 'bad-yaml.yaml'), BAD_YAML);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('check exits 0 on the demo file, 1 on a broken one, 2 on a missing one; schema prints JSON', async () => {
    const [demo, broken, badYaml, missing, schema] = await Promise.all([
      cli(['config', 'check', 'examples/demo/chainops.yaml']),
      cli(['config', 'check', join(dir, 'broken.yaml')]),
      cli(['config', 'check', join(dir, 'bad-yaml.yaml')]),
      cli(['config', 'check', join(dir, 'none.yaml')]),
      cli(['config', 'schema']),
    ]);

    assert.equal(demo.code, 0, demo.stderr);
    assert.match(demo.stdout, /is valid: 2 environments, 4 groups, 6 nodes/);

    assert.equal(broken.code, 1, broken.stdout);
    assert.match(broken.stderr, /has 6 problems/);
    for (const line of [
      'groups.eth.desired_version (line 11)',
      'groups.eth (line 8): unknown key "colour"',
      'nodes[0].rpc_url (line 15)',
      'nodes[1].name (line 16)',
      'nodes[2].group (line 17)',
      'nodes[2].env (line 17)',
    ]) assert.ok(broken.stderr.includes(line), `missing "${line}" in:\n${broken.stderr}`);
    assert.doesNotMatch(broken.stderr + broken.stdout, /hunter2/);

    assert.equal(badYaml.code, 1);
    assert.match(badYaml.stderr, /\(yaml\) \(line \d+\): .*fix the YAML syntax here/);

    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read .*none\.yaml \(ENOENT\)/);

    assert.equal(schema.code, 0, schema.stderr);
    const json = JSON.parse(schema.stdout) as { title?: string; properties?: Record<string, { type?: string }> };
    assert.equal(json.title, 'ChainOps fleet file');
    assert.ok(json.properties?.['groups'], 'properties.groups');
    assert.ok(json.properties?.['nodes']);
    assert.ok(json.properties?.['environments']);
  });
});
