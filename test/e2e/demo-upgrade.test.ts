/**
 * `chainops demo` as a new user runs it: its own Redis, Ethereum nodes on throwaway sshd hosts running
 * ganache 7.9.1 while the fleet wants 7.9.2 (eth-1..3 in prod, eth-4 in dev), litecoind, a worker and
 * the console — driven through the console's stdin as a user types. The release watch posts 7.9.2 from
 * the fleet file's static list; drift shows the old version; a promotion started by carol rolls dev by
 * itself, waits for bob's approval of prod, and rolls prod through Ansible over SSH until every node's
 * RPC reports 7.9.2 — and the restarts page nobody. One demo process for the whole file (it is slow to start).
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

const re = (v: string) => v.replaceAll('.', '\\.');

/** The console's rendering of the message whose first line matches `title` (up to the next message). */
function messageAt(text: string, title: RegExp): string | undefined {
  const m = title.exec(text);
  if (!m) return undefined;
  const rest = text.slice(m.index);
  const end = rest.slice(1).search(/\n\S*#\d+ /); // the console numbers each message: `#12 • …`
  return end < 0 ? rest : rest.slice(0, end + 1);
}

test('the demo: a release arrives, drift shows 7.9.1 ≠ 7.9.2, a promotion rolls dev by itself and prod after another person approves', async () => {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(REDIS_URL|CHAINOPS_|SLACK_|DISCORD_)/.test(k)));
  demo = spawn(process.execPath, ['bin/chainops.js', 'demo'], { cwd: ROOT, env: { ...env, NO_COLOR: '1', COLUMNS: '200' } });
  killWithParent(demo);
  demo.stdout.on('data', (d: Buffer) => (out += d.toString()));
  demo.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const alive = () => (demo!.exitCode !== null ? `the demo exited: ${out.slice(-3_000)}` : undefined);
  await waitFor(async () => /Type \/chainops help/.test(out), { what: 'the demo console', timeoutMs: 180_000, intervalMs: 200, failIf: alive });
  assert.match(out, /Ethereum nodes run ganache 7\.9\.1, the fleet wants 7\.9\.2/, 'the nodes are upgradeable (sshd and Ansible here)');
  assert.match(out, /promotion start eth-devnet 7\.9\.2 --as carol/, 'the demo says how to promote');
  // The fleet file the demo wrote names the nodes' ports: what the nodes answer is read straight over RPC.
  const fleetFile = /fleet file: (\S+)/.exec(out)![1]!;
  const ethUrls = Object.fromEntries([...(await readFile(fleetFile, 'utf8')).matchAll(/name: (eth-[1-4])\b[\s\S]*?rpc_url: "?(http:\/\/127\.0\.0\.1:\d+)/g)].map((m) => [m[1]!, m[2]!]));
  assert.deepEqual(Object.keys(ethUrls).sort(), ['eth-1', 'eth-2', 'eth-3', 'eth-4'], 'four ganache nodes in the fleet file');
  const versions = async () => Object.fromEntries(await Promise.all(Object.entries(ethUrls).map(async ([n, url]) => [n, /v(\d+\.\d+\.\d+)/.exec((await clientVersion(url)) ?? '')?.[1] ?? 'down'] as const)));

  // A release arrives by itself: the static list's newest version, once the first health sweep is in.
  const post = await waitFor(async () => {
    const m = messageAt(out, /#\d+ \S+ New ganache release 7\.9\.2 for eth-devnet/); // a message, not the startup hint
    return m && /Ignore this version/.test(m) ? m : undefined;
  }, { what: 'the release post', timeoutMs: 120_000, intervalMs: 200, failIf: alive });
  assert.match(post, /ganache v7\.9\.2 — https:\/\/github\.com\/trufflesuite\/ganache\/releases\/tag\/v7\.9\.2/);
  assert.match(post, /the static list/);
  for (const n of ['eth-1', 'eth-2', 'eth-3']) assert.match(post, new RegExp(`${n} \\(prod, 7\\.9\\.1\\)`), post);
  assert.match(post, /eth-4 \(dev, 7\.9\.1\)/, post);
  assert.match(post, /\[\d+\] Upgrade dev[\s\S]*\[\d+\] Start promotion[\s\S]*\[\d+\] Ignore this version/, 'its buttons, numbered for the console');
  assert.equal(out.match(/#\d+ \S+ New ganache release 7\.9\.2 for eth-devnet/g)?.length, 1, 'posted once');

  // The devnet runs three clients, and a fork ten minutes ahead needs ganache 7.9.2.
  const status = await type('/chainops status', /clients ethereum\/devnet/);
  assert.match(status, /🧬 clients ethereum\/devnet \(prod\): ganache 3 · anvil 1 · hardhat 1/);
  assert.match(status, /⏳ fork osaka \(ethereum\/devnet, prod\) in \d+m \d+s · 3 nodes not ready/);
  // 4 ganache + anvil + hardhat + 2 litecoind.
  const drift = await type('/chainops drift', /checked: versions of 8 nodes/);
  for (const n of ['eth-1', 'eth-2', 'eth-3', 'eth-4']) assert.match(drift, new RegExp(`${n}\\s+${re(DEMO_ETH_OLD)} → ${re(DEMO_ETH_NEW)}`));

  // carol starts a promotion: dev (eth-4) needs no approval and rolls by itself, then soaks.
  const started = await type(`/chainops promotion start eth-devnet ${DEMO_ETH_NEW} --as carol`, /Promotion (pr-[a-z0-9]+)/);
  const promotion = /Promotion (pr-[a-z0-9]+)/.exec(started)![1]!;
  let stopped: string | undefined;
  const promotionStatus = async (until: RegExp, what: string, timeoutMs: number) => waitFor(async () => {
    const st = await type('/chainops promotion status eth-devnet', new RegExp(`Promotion ${promotion}[\\s\\S]*prod: `), 30_000);
    if (/status:\s+(failed|rolled-back|aborted)/.test(st)) stopped = `the promotion stopped:\n${st}`;
    return until.test(st) ? st : undefined;
  }, { what, timeoutMs, intervalMs: 3_000, failIf: () => stopped ?? alive() });
  const atProd = await promotionStatus(/prod: awaiting-approval/, `promotion ${promotion} to reach prod's approval`, 300_000);
  assert.match(atProd, /✓ dev: done · up-[a-z0-9]+/);
  assert.deepEqual(await versions(), { 'eth-1': DEMO_ETH_OLD, 'eth-2': DEMO_ETH_OLD, 'eth-3': DEMO_ETH_OLD, 'eth-4': DEMO_ETH_NEW }, 'dev first, prod untouched');
  const devRollout = /dev: done · (up-[a-z0-9]+)/.exec(atProd)![1]!;
  assert.match(await type(`/chainops rollout status ${devRollout}`, /status:/), /status:\s+done[\s\S]*eth-4/);

  // prod's approval card: an ordinary upgrade card, requested by carol — so she cannot approve it; bob can.
  const approval = /approve with `?\/chainops approve (ap-[a-z0-9]+)/.exec(atProd)![1]!;
  assert.match(out, new RegExp(`Approval ${approval}: upgrade eth-devnet ${re(DEMO_ETH_NEW)} --env prod`), 'the approval card was posted');
  assert.match(await type(`/chainops approve ${approval} --as carol`, /approver role|someone else|cannot approve|not allowed/i), /approver role|someone else|cannot approve|not allowed/i);
  assert.match(await type(`/chainops approve ${approval} --as bob`, /Approved|approved/), /Approved|approved/);
  // The promotion's own line, not any `status: done` (a rollout message edited in the same output matches that).
  const done = await promotionStatus(/✓ prod: done · up-[a-z0-9]+/, `promotion ${promotion} to finish`, 300_000);
  assert.match(done, /✓ dev: done[\s\S]*✓ prod: done · up-[a-z0-9]+/);
  const prodRollout = /prod: done · (up-[a-z0-9]+)/.exec(done)![1]!;
  const prodStatus = await type(`/chainops rollout status ${prodRollout}`, /status:/);
  assert.match(prodStatus, /status:\s+done/);
  for (const n of ['eth-1', 'eth-2', 'eth-3']) assert.match(prodStatus, new RegExp(`\\b${n}\\b`));
  assert.doesNotMatch(prodStatus, /\beth-4\b/, 'prod\'s rollout leaves the dev node alone');

  assert.doesNotMatch(out, /FIRING · (unreachable|head-age|lag|peers) on eth-/, 'the nodes the rollouts restarted paged nobody (they were in maintenance)');
  const nodes = await type('/chainops nodes eth-devnet', /eth-4/);
  for (const n of ['eth-1', 'eth-2', 'eth-3', 'eth-4']) assert.match(nodes, new RegExp(`${n}\\s.*ganache ${re(DEMO_ETH_NEW)}`), nodes);
  const after = await type('/chainops drift', /checked: versions of 8 nodes/);
  assert.doesNotMatch(after, new RegExp(`eth-\\d\\s+${re(DEMO_ETH_OLD)} →`), 'no version drift left');
  assert.deepEqual(await versions(), { 'eth-1': DEMO_ETH_NEW, 'eth-2': DEMO_ETH_NEW, 'eth-3': DEMO_ETH_NEW, 'eth-4': DEMO_ETH_NEW });
});
