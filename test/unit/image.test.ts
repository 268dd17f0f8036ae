/**
 * What can be checked of the container image without a Docker engine: every binary the code spawns is
 * installed in the runtime stage (pinned, Terraform checksum-verified), the HEALTHCHECK asks each role
 * where that role really serves /healthz, and docker-compose.yml matches docs/deploy.md (env files per
 * service, volumes).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { healthUrl, roleFromCmdline, type ServeRole } from '../../src/main/healthcheck.ts';
import { ROOT } from '../helpers/run-cli.ts';

const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as { services: Record<string, Service>; volumes: Record<string, unknown> };
const deployDoc = readFileSync(join(ROOT, 'docs', 'deploy.md'), 'utf8');

interface Service { command?: string[]; environment?: Record<string, string>; env_file?: string[]; volumes?: string[]; ports?: string[]; image?: string; build?: string }

/** Dockerfile stages by name, each with its instructions joined over line continuations. */
function stages(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let current: string[] = [];
  for (const line of text.replace(/\\\n/g, ' ').split('\n')) {
    const from = /^FROM\s+\S+(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) out.set(from[1] ?? `stage${out.size}`, (current = []));
    else if (line.trim() && !line.trim().startsWith('#')) current.push(line.trim());
  }
  return out;
}
const byStage = stages(dockerfile);
const runtime = byStage.get('runtime') ?? [];
const argDefault = (stage: string[], name: string) => stage.map((l) => new RegExp(`^ARG ${name}=(\\S*)`).exec(l)?.[1]).find((v) => v !== undefined);

/** Where the code starts a process, and the tool that call site runs. A new call site must be added here. */
const SPAWN_SITES: Record<string, string[]> = {
  'adapters/ansible/ansible-playbook.runner.ts': ['ansible-playbook', 'ssh'],
  'adapters/terraform/terraform-process.ts': ['terraform'],
  'adapters/git/git.process.ts': ['git'],
};
/** Spawners that never run in the image: local test/demo processes and the demo's apt-get. */
const NOT_IN_IMAGE = [/^adapters\/local\//, /^src\/main\/system-packages\.ts$/, /^src\/main\/demo\.ts$/];
/** How the runtime stage provides each tool. */
const PROVIDED_BY: Record<string, { apt: string } | { copy: string }> = {
  'ansible-playbook': { apt: 'ansible-core' },
  ssh: { apt: 'openssh-client' },
  git: { apt: 'git' },
  terraform: { copy: '/usr/local/bin/terraform' },
};

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const rel = posix.join(dir, name);
    if (statSync(join(ROOT, rel)).isDirectory()) return sources(rel);
    return rel.endsWith('.ts') ? [rel] : [];
  });
}

test('every place the code spawns a process is known, and its tool is installed in the runtime stage', () => {
  const spawning = ['src', 'adapters', 'jobs']
    .flatMap(sources)
    .filter((f) => /from ['"](node:)?child_process['"]/.test(readFileSync(join(ROOT, f), 'utf8')))
    .filter((f) => !NOT_IN_IMAGE.some((re) => re.test(f)));
  assert.deepEqual(spawning.filter((f) => !(f in SPAWN_SITES)), [], 'a new spawn site: add it to SPAWN_SITES with the tool it runs, and install the tool in the image');
  const install = runtime.find((l) => /apt-get install/.test(l)) ?? '';
  for (const tool of new Set(Object.values(SPAWN_SITES).flat())) {
    const how = PROVIDED_BY[tool];
    assert.ok(how, `${tool}: say how the image provides it`);
    if ('apt' in how) {
      const pinned = new RegExp(`\\s${how.apt}=\\$\\{([A-Z_]+)\\}`).exec(install);
      assert.ok(pinned, `${tool}: the runtime stage installs ${how.apt} at a pinned version`);
      assert.match(argDefault(runtime, pinned[1]!) ?? '', /^\S+$/, `${how.apt}: ARG ${pinned[1]} has a default version`);
    } else {
      assert.ok(runtime.some((l) => l.startsWith('COPY --from=terraform') && l.endsWith(how.copy)), `${tool}: copied into ${how.copy} from the verified stage`);
    }
  }
});

test('Terraform is pinned and verified against its SHA-256 before it is used', () => {
  const tf = byStage.get('terraform') ?? [];
  assert.match(argDefault(tf, 'TERRAFORM_VERSION') ?? '', /^\d+\.\d+\.\d+$/);
  assert.match(argDefault(tf, 'TERRAFORM_SHA256_AMD64') ?? '', /^[0-9a-f]{64}$/);
  const run = tf.find((l) => l.includes('releases.hashicorp.com')) ?? '';
  assert.ok(run.indexOf('sha256sum -c') > run.indexOf('curl') && run.indexOf('sha256sum -c') < run.indexOf('unzip'), 'downloaded, checked, then unpacked');
});

test('the HEALTHCHECK probes each role where that role serves /healthz', () => {
  const hc = runtime.find((l) => l.startsWith('HEALTHCHECK')) ?? '';
  assert.match(hc, /CMD \["node", "dist\/src\/main\/healthcheck\.js"\]/);
  const tsconfig = JSON.parse(readFileSync(join(ROOT, 'tsconfig.build.json'), 'utf8')) as { include: string[] };
  assert.ok(tsconfig.include.includes('src'), 'the build emits dist/src/main/healthcheck.js');
  const entry = JSON.parse(/^ENTRYPOINT (\[.*\])$/m.exec(runtime.join('\n'))?.[1] ?? '[]') as string[];
  const imageEnv = Object.fromEntries(runtime.filter((l) => l.startsWith('ENV ')).flatMap((l) => [...l.matchAll(/([A-Z_]+)=(\S+)/g)].map((m) => [m[1]!, m[2]!])));
  const exposed = runtime.filter((l) => l.startsWith('EXPOSE ')).flatMap((l) => l.split(/\s+/).slice(1));
  const roles: Record<string, ServeRole> = {};
  for (const [name, svc] of Object.entries(compose.services)) {
    if (!svc.build) continue;
    const role = roleFromCmdline([...entry, ...(svc.command ?? [])].join('\0'));
    assert.ok(role, `${name}: the probe can tell its role from its command`);
    roles[name] = role;
    const port = new URL(healthUrl(role, { ...imageEnv, ...svc.environment })).port;
    assert.ok(exposed.includes(port), `${name} (${role}) is probed on ${port}, which the image exposes`);
    if (role !== 'worker') assert.ok((svc.ports ?? []).some((p) => p.endsWith(`:${port}`)), `${name}: its public port is the one it serves /healthz on`);
  }
  assert.deepEqual(Object.values(roles).sort(), ['bot', 'worker']);
});

test('compose matches docs/deploy.md: env files per service, Redis AOF, the shared plans volume', () => {
  const rows = deployDoc.split('\n').filter((l) => /^\| `secrets\/[a-z]+\.env` \|/.test(l));
  assert.ok(rows.length >= 3, 'the doc lists the env files');
  const documented = new Map(rows.map((r) => { const cells = r.split('|').map((c) => c.trim()); return [cells[1]!.replace(/`/g, ''), cells[2]!.split(/,\s*/).sort()]; }));
  const actual = new Map<string, string[]>();
  for (const [name, svc] of Object.entries(compose.services)) for (const f of svc.env_file ?? []) actual.set(f, [...(actual.get(f) ?? []), name].sort());
  assert.deepEqual(Object.fromEntries(actual), Object.fromEntries(documented));
  assert.ok(!(compose.services['worker']?.env_file ?? []).includes('secrets/chat.env'), 'workers never get the chat tokens');
  assert.ok(!(compose.services['bot']?.env_file ?? []).includes('secrets/cloud.env'), 'the bot never gets cloud credentials');

  assert.ok((compose.services['redis']?.command ?? []).join(' ').includes('--appendonly yes'), 'Redis keeps an AOF');
  const worker = compose.services['worker']!;
  const fleetDir = dirname(worker.environment?.['CHAINOPS_CONFIG'] ?? /CHAINOPS_CONFIG=(\S+)/.exec(runtime.join(' '))?.[1] ?? '');
  const plans = (worker.volumes ?? []).find((v) => v.startsWith('plans:'));
  assert.equal(plans, `plans:${posix.join(fleetDir, '.chainops')}`, 'saved plans live where terraform.plan_dir defaults to');
  assert.ok('plans' in compose.volumes);
  for (const v of ['redis-data', 'plans']) assert.match(deployDoc, new RegExp(`\\| \`${v}\` \\|`), `docs/deploy.md explains volume ${v}`);
});
