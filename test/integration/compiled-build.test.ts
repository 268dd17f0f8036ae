/**
 * The production image runs ChainOps compiled to JavaScript (`npm run build`, `node dist/src/main/cli.js`)
 * rather than through tsx. Build it here (into a folder of its own) and run it for real: a fleet check,
 * and a console command through Redis, the pipeline and the renderer; files shipped beside the code
 * (the Ansible callback plugin, the demo fleet) must be found from the compiled modules too.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { startRedisServer, type RedisServerHandle } from '../../adapters/local/redis-server.process.ts';
import { ROOT, runCli } from '../helpers/run-cli.ts';

const OUT = join(ROOT, 'node_modules', '.cache', `chainops-build-test-${process.pid}`);
const entry = join(OUT, 'src', 'main', 'cli.js');
let redis: RedisServerHandle;

before(async () => {
  redis = await startRedisServer({ appendonly: false });
  await promisify(execFile)(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', OUT], { cwd: ROOT });
});

after(async () => {
  await redis?.stop();
  await rm(OUT, { recursive: true, force: true });
});

test('the build emits JavaScript whose relative imports end in .js', async () => {
  assert.ok(existsSync(entry), 'dist has the CLI entry');
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(join(OUT, 'src', 'package-root.js'))}); console.log(m.PACKAGE_ROOT); console.log(m.packagePath('adapters', 'ansible', 'callback_plugins'));`]);
  const [root, callbacks] = stdout.trim().split('\n');
  assert.equal(join(root!, '/'), join(ROOT, '/'), 'the compiled code finds the package root');
  assert.ok(existsSync(join(callbacks!, 'chainops_jsonl.py')), `the Ansible callback plugin is found: ${callbacks}`);
});

test('compiled: `config check` validates the demo fleet', async () => {
  const r = await runCli(['config', 'check', join(ROOT, 'examples', 'demo', 'chainops.yaml')], {}, 60_000, entry);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /✔ .*chainops\.yaml is valid: 2 environments, 4 groups, 6 nodes/);
});

test('compiled: a console command goes through Redis, the pipeline and the renderer', async () => {
  const r = await runCli(['console', '--exec', 'nodes', '--as', 'alice'], { REDIS_URL: redis.url, CHAINOPS_CONFIG: join(ROOT, 'examples', 'demo', 'chainops.yaml'), CHAINOPS_PREFIX: 'build-test' }, 60_000, entry);
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  for (const node of ['eth-1', 'eth-2', 'eth-3', 'eth-4', 'ltc-1', 'ltc-2']) assert.match(r.stdout, new RegExp(node));
});
