/**
 * `chainops demo` as a new user runs it: its own Redis, Ethereum nodes on throwaway sshd hosts running
 * ganache 7.9.1 while the fleet wants 7.9.2, litecoind, a worker and the console — driven through the
 * console's stdin as a user types. Drift shows the old version; an upgrade asked by carol and approved
 * by bob rolls through Ansible over SSH until every node's RPC reports 7.9.2, and the restarts page nobody.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { after, test } from 'node:test';
import { clientVersion } from '../../adapters/local/demo-hosts.ts';
import { killWithParent, waitFor, waitForExit } from '../../adapters/local/wait-for.ts';
import { DEMO_ETH_NEW, DEMO_ETH_OLD } from '../../src/main/demo.ts';
import { ROOT } from '../helpers/run-cli.ts';

let demo: ChildProcessWithoutNullStreams | undefined;
let out = '';

after(async () => {
  if (!demo) return;
  demo.stdin.end(); // Ctrl-D: the demo stops everything it started
  await waitForExit(demo, 30_000);
});

/** Type a line; resolves with what the demo printed after it once `until` matches that output. */
async function type(line: string, until: RegExp, timeoutMs = 30_000): Promise<string> {
  const from = out.length;
  demo!.stdin.write(`${line}\n`);
  return waitFor(async () => (until.test(out.slice(from)) ? out.slice(from) : undefined), { what: `output matching ${until} after "${line}"`, timeoutMs, intervalMs: 100 })
    .catch((err: Error) => { throw new Error(`${err.message}\n--- demo output ---\n${out.slice(-4_000)}`); });
}

test('the demo: drift shows 7.9.1 ≠ 7.9.2, an approved upgrade rolls all three nodes to 7.9.2 over SSH and Ansible', async () => {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(REDIS_URL|CHAINOPS_|SLACK_|DISCORD_)/.test(k)));
  demo = spawn(process.execPath, ['bin/chainops.js', 'demo'], { cwd: ROOT, env: { ...env, NO_COLOR: '1', COLUMNS: '200' } });
  killWithParent(demo);
  demo.stdout.on('data', (d: Buffer) => (out += d.toString()));
  demo.stderr.on('data', (d: Buffer) => (out += d.toString()));
  await waitFor(async () => /Type \/chainops help/.test(out), { what: 'the demo console', timeoutMs: 180_000, intervalMs: 200, failIf: () => (demo!.exitCode !== null ? `the demo exited: ${out.slice(-3_000)}` : undefined) });
  assert.match(out, /Ethereum nodes run ganache 7\.9\.1, the fleet wants 7\.9\.2/, 'the nodes are upgradeable (sshd and Ansible here)');

  // The devnet runs three clients, and a fork ten minutes ahead needs ganache 7.9.2.
  const status = await type('/chainops status', /clients ethereum\/devnet/);
  assert.match(status, /🧬 clients ethereum\/devnet \(prod\): ganache 3 · anvil 1 · hardhat 1/);
  assert.match(status, /⏳ fork osaka \(ethereum\/devnet, prod\) in \d+m \d+s · 3 nodes not ready/);
  // 3 ganache + anvil + hardhat + 2 litecoind.
  const drift = await type('/chainops drift', /checked: versions of 7 nodes/);
  for (const n of ['eth-1', 'eth-2', 'eth-3']) assert.match(drift, new RegExp(`${n}\\s+${DEMO_ETH_OLD.replaceAll('.', '\\.')} → ${DEMO_ETH_NEW.replaceAll('.', '\\.')}`));

  const asked = await type(`/chainops upgrade eth-devnet ${DEMO_ETH_NEW} --env prod --as carol`, /Approval (ap-[a-z0-9]+)/);
  const approval = /Approval (ap-[a-z0-9]+)/.exec(asked)![1]!;
  const approved = await type(`/chainops approve ${approval} --as bob`, /\bup-[a-z0-9]{4,}/);
  const rollout = /\b(up-[a-z0-9]{4,})/.exec(approved)![1]!;
  let stopped: string | undefined;
  await waitFor(async () => {
    const status = await type(`/chainops rollout status ${rollout}`, /Rollout|rollout/, 30_000);
    if (/status:\s+(halted|failed|aborted)/.test(status)) stopped = `the rollout stopped:\n${status}`;
    return /status:\s+done/.test(status) ? status : undefined;
  }, { what: `rollout ${rollout} to finish`, timeoutMs: 240_000, intervalMs: 3_000, failIf: () => stopped });

  assert.doesNotMatch(out, /FIRING · (unreachable|head-age|lag) on eth-/, 'the nodes the rollout restarted paged nobody (they were in maintenance)');
  const nodes = await type('/chainops nodes eth-devnet', /eth-3/);
  for (const n of ['eth-1', 'eth-2', 'eth-3']) assert.match(nodes, new RegExp(`${n}\\s.*ganache ${DEMO_ETH_NEW.replaceAll('.', '\\.')}`), nodes);
  const after = await type('/chainops drift', /checked: versions of 7 nodes/);
  assert.doesNotMatch(after, new RegExp(`eth-\\d\\s+${DEMO_ETH_OLD.replaceAll('.', '\\.')} →`), 'no version drift left');
  // What the nodes themselves answer, straight over RPC (the fleet file the demo wrote names their ports).
  const fleetFile = /fleet file: (\S+)/.exec(out)![1]!;
  const ethUrls = [...(await readFile(fleetFile, 'utf8')).matchAll(/name: eth-[123]\b[\s\S]*?rpc_url: "?(http:\/\/127\.0\.0\.1:\d+)/g)].map((m) => m[1]!);
  assert.equal(ethUrls.length, 3, 'three ganache nodes in the fleet file');
  for (const url of ethUrls) assert.match((await clientVersion(url)) ?? '', new RegExp(`v${DEMO_ETH_NEW.replaceAll('.', '\\.')}`));
});
