// Start one ganache node detached from Terraform, record its pid, and wait until its RPC answers.
// Called by local-exec as: node start-node.mjs '<json settings>' (no shell involved).
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';

const s = JSON.parse(process.argv[2] ?? '{}');
for (const k of ['name', 'port', 'pid_file', 'log_file', 'ganache']) {
  if (s[k] === undefined || s[k] === null) throw new Error(`start-node: missing ${k}`);
}
mkdirSync(dirname(s.pid_file), { recursive: true });

if (existsSync(s.pid_file)) {
  const old = Number(readFileSync(s.pid_file, 'utf8'));
  if (alive(old)) {
    console.log(`${s.name}: already running as pid ${old}`);
    process.exit(0);
  }
}

const log = openSync(s.log_file, 'a');
const child = spawn(s.ganache, [
  '--server.host', '127.0.0.1',
  '--server.port', String(s.port),
  '--chain.chainId', String(s.chain_id ?? 1337),
  '--miner.blockTime', String(s.block_time ?? 1),
  '--wallet.seed', `chainops-${s.name}`,
  '--logging.quiet',
], { detached: true, stdio: ['ignore', log, log] });
child.unref();
writeFileSync(s.pid_file, String(child.pid));

const deadline = Date.now() + 60_000;
for (;;) {
  if (child.exitCode !== null) fail(`ganache exited with code ${child.exitCode}`);
  try {
    const res = await fetch(`http://127.0.0.1:${s.port}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      signal: AbortSignal.timeout(1_000),
    });
    if (typeof (await res.json()).result === 'string') break;
  } catch {
    // not up yet
  }
  if (Date.now() > deadline) fail('ganache did not answer eth_chainId within 60 s');
  await new Promise((r) => setTimeout(r, 200));
}
console.log(`${s.name}: ganache pid ${child.pid} answers on 127.0.0.1:${s.port}`);
process.exit(0);

function alive(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('ganache');
  } catch {
    return false;
  }
}

function fail(why) {
  let tail = '';
  try {
    tail = readFileSync(s.log_file, 'utf8').slice(-800);
  } catch {}
  try {
    process.kill(child.pid, 'SIGKILL');
  } catch {}
  console.error(`${s.name}: ${why}\n${tail}`);
  process.exit(1);
}
