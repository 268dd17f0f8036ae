import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { freePort } from './free-port.ts';
import { exitedWith, keepTail, killWithParent, waitFor, waitForExit } from './wait-for.ts';

/** Options of `startGanache`. */
export interface GanacheOptions {
  /** TCP port on 127.0.0.1; default a free port (retried if another process grabs it first). */
  port?: number;
  /** Seconds between mined blocks; 0 mines only on transactions. Default 1. */
  blockTimeSec?: number;
  /** EIP-155 chain id; default 1337. */
  chainId?: number;
  /** Wallet seed, so accounts are the same on every start; default `chainops`. */
  seed?: string;
  /** How long to wait for `eth_chainId` to answer; default 30 000 ms. */
  startTimeoutMs?: number;
}

/** A running ganache child process. */
export interface GanacheHandle {
  url: string;
  port: number;
  pid: number;
  /** SIGTERM, then SIGKILL after 5 s; resolves once the process has exited. Safe to call twice. */
  stop(): Promise<void>;
}

/** Starts ganache as its own process and resolves once it answers JSON-RPC. */
export async function startGanache(opts: GanacheOptions = {}): Promise<GanacheHandle> {
  const attempts = opts.port === undefined ? 3 : 1;
  let lastError: unknown;
  for (let i = 0; i < attempts; i++) {
    const port = opts.port ?? (await freePort());
    try {
      return await startOnce(port, opts);
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError;
}

async function startOnce(port: number, opts: GanacheOptions): Promise<GanacheHandle> {
  const args = [
    ganacheCli(),
    '--server.host', '127.0.0.1',
    '--server.port', String(port),
    '--miner.blockTime', String(opts.blockTimeSec ?? 1),
    '--chain.chainId', String(opts.chainId ?? 1337),
    '--wallet.seed', opts.seed ?? 'chainops',
    '--logging.quiet',
  ];
  // No shell: the arguments go to node as they are.
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const output = keepTail(child);
  killWithParent(child);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(() => answersChainId(url), {
      what: `ganache on port ${port} to answer eth_chainId`,
      timeoutMs: opts.startTimeoutMs ?? 30_000,
      failIf: () => exitedWith(child, output),
    });
  } catch (err) {
    child.kill('SIGKILL');
    await waitForExit(child, 2_000);
    throw err;
  }
  return { url, port, pid: child.pid ?? -1, stop: () => stopChild(child) };
}

/** Path of ganache's CLI script, read from its package.json `bin` so an upgrade that moves it still works. */
function ganacheCli(): string {
  const require = createRequire(import.meta.url);
  const pkgPath = require.resolve('ganache/package.json');
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { bin?: string | Record<string, string> };
  const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin?.ganache;
  if (!bin) throw new Error('ganache package.json has no "bin" entry for ganache; reinstall devDependencies');
  return join(dirname(pkgPath), bin);
}

async function answersChainId(url: string): Promise<boolean> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
    signal: AbortSignal.timeout(1_000),
  });
  const body = (await res.json()) as { result?: unknown };
  return typeof body.result === 'string';
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  await waitForExit(child, 5_000);
}
