import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { startGanache, type GanacheHandle } from '../../adapters/local/ganache.process.ts';
import { startLitecoind, type LitecoindHandle } from '../../adapters/local/litecoind.process.ts';
import { startRedisServer, type RedisServerHandle } from '../../adapters/local/redis-server.process.ts';
import { demoFleet } from '../../src/main/demo.ts';
import { runCli } from '../helpers/run-cli.ts';

// The demo fleet, started for real, and the CLI run as its own process: what `status` and `nodes`
// print must be what the nodes answer to a direct RPC call.
let redis: RedisServerHandle;
let eth: GanacheHandle[] = [];
let ltc: LitecoindHandle[] = [];
let dir: string;
let env: NodeJS.ProcessEnv;
const password = randomBytes(12).toString('hex');

async function ethCall(url: string, method: string, params: unknown[] = []): Promise<unknown> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  return ((await res.json()) as { result: unknown }).result;
}

before(async () => {
  redis = await startRedisServer({ appendonly: false });
  // blockTime 0: ganache mines only when asked, so heights hold still while we compare.
  eth = await Promise.all([0, 1, 2].map(() => startGanache({ blockTimeSec: 0, chainId: 1337 })));
  for (const [i, n] of [6, 6, 3].entries()) for (let k = 0; k < n; k++) await ethCall(eth[i]!.url, 'evm_mine');
  const l1 = await startLitecoind({ rpcUser: 'chainops', rpcPassword: password });
  ltc.push(l1);
  ltc.push(await startLitecoind({ rpcUser: 'chainops', rpcPassword: password, peers: [l1.p2pPort] }));
  await l1.generate(12);
  const deadline = Date.now() + 30_000;
  while (((await ltc[1]!.call('getblockcount')) as number) < 12) {
    if (Date.now() > deadline) throw new Error('litecoind peers did not sync');
    await new Promise((r) => setTimeout(r, 100));
  }
  dir = await mkdtemp(join(tmpdir(), 'chainops-e2e-'));
  const fleetPath = join(dir, 'chainops.yaml');
  await writeFile(fleetPath, await demoFleet({ 'eth-1': eth[0]!.url, 'eth-2': eth[1]!.url, 'eth-3': eth[2]!.url, 'ltc-1': ltc[0]!.rpcUrl, 'ltc-2': ltc[1]!.rpcUrl }));
  env = { REDIS_URL: redis.url, CHAINOPS_CONFIG: fleetPath, CHAINOPS_PREFIX: `t-${randomUUID().slice(0, 8)}`, CHAINOPS_SECRET_LTC_RPC_PASSWORD: password, LOG_LEVEL: 'warn' };
});

after(async () => {
  await Promise.all([...eth.map((g) => g.stop()), ...ltc.map((l) => l.stop())]);
  await redis?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The table row of a node or group: its cells split on runs of 2+ spaces. */
function row(out: string, first: RegExp): string[] {
  const line = out.split('\n').find((l) => first.test(l));
  assert.ok(line, `no row matching ${first} in:\n${out}`);
  return line.trim().split(/\s{2,}/);
}

test('console --exec "/chainops nodes" shows each node\'s head, version and lag as its RPC reports them', async () => {
  const { code, stdout, stderr } = await runCli(['console', '--exec', '/chainops nodes', '--as', 'alice'], env);
  assert.equal(code, 0, stderr);
  for (const [i, name] of ['eth-1', 'eth-2', 'eth-3'].entries()) {
    const head = parseInt((await ethCall(eth[i]!.url, 'eth_blockNumber')) as string, 16);
    const version = (await ethCall(eth[i]!.url, 'web3_clientVersion')) as string;
    const cells = row(stdout, new RegExp(`\\b${name}\\b`));
    assert.equal(cells[3], String(head), `head of ${name}`);
    assert.match(version, new RegExp(cells[2]!.split(' ')[1]!.replace(/\./g, '\\.')), `version of ${name}`);
    assert.equal(cells[4], String(6 - head), `lag of ${name} against the majority head 6`);
  }
  for (const [i, name] of ['ltc-1', 'ltc-2'].entries()) {
    const count = (await ltc[i]!.call('getblockcount')) as number;
    const sub = ((await ltc[i]!.call('getnetworkinfo')) as { subversion: string }).subversion;
    const cells = row(stdout, new RegExp(`\\b${name}\\b`));
    assert.equal(cells[3], String(count), `head of ${name}`);
    assert.ok(sub.includes(cells[2]!.split(' ')[1]!), `version of ${name}: ${cells[2]} vs ${sub}`);
    assert.equal(cells[4], '0');
  }
  assert.ok(!stdout.includes(password) && !stderr.includes(password), 'the RPC password never reaches the output');
});

test('console --exec "/chainops status" summarises each group: healthy count, versions, reference head, max lag', async () => {
  const { code, stdout, stderr } = await runCli(['console', '--exec', '/chainops status'], { ...env, CHAINOPS_CONSOLE_USER: 'carol' });
  assert.equal(code, 0, stderr);
  const ethRow = row(stdout, /prod\/eth-devnet/);
  assert.deepEqual(ethRow.slice(2), ['3/3', '0', '0', '7.9.2×3', '7.9.2', '6', '3']);
  const ltcHead = (await ltc[0]!.call('getblockcount')) as number;
  const ltcRow = row(stdout, /dev\/ltc-regtest/);
  assert.deepEqual(ltcRow.slice(2), ['2/2', '0', '0', '0.21.2.1×2', '0.21.2.1', String(ltcHead), '0']);
});

test('a node that goes down shows as down with the reason, the others stay healthy', async () => {
  await eth[2]!.stop();
  const { code, stdout } = await runCli(['console', '--exec', '/chainops health eth-devnet'], env);
  assert.equal(code, 0);
  const cells = row(stdout, /\beth-3\b/);
  assert.match(cells.at(-1)!, /refused|unreachable|ECONNREFUSED|connect/i);
  assert.match(row(stdout, /\beth-1\b/).at(-1)!, /^ok$/);
});

test('a bad command gets a suggestion and exit code 1, and no stack trace', async () => {
  const { code, stdout } = await runCli(['console', '--exec', '/chainops statsu'], env);
  assert.equal(code, 1);
  assert.match(stdout, /did you mean `status`/);
  assert.doesNotMatch(stdout, /at .*\.ts:\d+/);
});
