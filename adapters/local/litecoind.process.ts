import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';
import { exitedWith, keepTail, killWithParent, waitFor, waitForExit } from './wait-for.ts';

const LITECOIND = '/usr/bin/litecoind';
// OP_TRUE: blocks mined to it need no wallet and no address, which litecoind 0.21 with -disablewallet lacks.
const ANYONE_CAN_SPEND = 'raw(51)';

/** Options of `startLitecoind`. */
export interface LitecoindOptions {
  rpcUser: string;
  rpcPassword: string;
  /** P2P ports of other local litecoind nodes to connect to; default none. */
  peers?: number[];
  /** How long to wait for the RPC to answer; default 60 000 ms. */
  startTimeoutMs?: number;
}

/** A running regtest litecoind with its own temp datadir. */
export interface LitecoindHandle {
  rpcUrl: string;
  rpcPort: number;
  p2pPort: number;
  datadir: string;
  pid: number;
  /** One JSON-RPC call with the node's credentials; throws on an RPC error. */
  call(method: string, params?: unknown[]): Promise<unknown>;
  /** Mines `n` blocks at once; resolves with their hashes. */
  generate(n: number): Promise<string[]>;
  /** SIGTERM (SIGKILL after 20 s), waits for exit, removes the datadir. Safe to call twice. */
  stop(): Promise<void>;
}

/** Starts litecoind in regtest mode on free loopback ports and resolves once its RPC answers. */
export async function startLitecoind(opts: LitecoindOptions): Promise<LitecoindHandle> {
  let lastError: unknown;
  // Free ports are only free until someone takes them: retry a start that dies early.
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(opts);
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError;
}

async function startOnce(opts: LitecoindOptions): Promise<LitecoindHandle> {
  const [rpcPort, p2pPort] = [await freePort(), await freePort()];
  const datadir = await mkdtemp(join(tmpdir(), 'chainops-ltc-'));
  // Credentials go in the config file, not argv, so `ps` does not show the password.
  await writeFile(join(datadir, 'litecoin.conf'), `rpcuser=${opts.rpcUser}\nrpcpassword=${opts.rpcPassword}\n`, { mode: 0o600 });
  const args = [
    '-regtest', '-server', '-listen', '-bind=127.0.0.1', `-port=${p2pPort}`, `-rpcport=${rpcPort}`,
    '-rpcbind=127.0.0.1', '-rpcallowip=127.0.0.1', `-datadir=${datadir}`, '-printtoconsole=0',
    '-disablewallet', '-discover=0', '-dnsseed=0', '-listenonion=0', '-upnp=0',
    ...(opts.peers ?? []).map((p) => `-addnode=127.0.0.1:${p}`),
  ];
  const child = spawn(LITECOIND, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const output = keepTail(child);
  killWithParent(child, () => rmSync(datadir, { recursive: true, force: true }));
  const rpcUrl = `http://127.0.0.1:${rpcPort}/`;
  const call = rpcCaller(rpcUrl, opts.rpcUser, opts.rpcPassword);
  const stop = once(() => stopNode(child, datadir));
  try {
    await waitFor(async () => (await call('getblockchaininfo')) !== undefined, {
      what: `litecoind RPC on port ${rpcPort}`,
      timeoutMs: opts.startTimeoutMs ?? 60_000,
      intervalMs: 200,
      failIf: () => exitedWith(child, output),
    });
  } catch (err) {
    await stop();
    throw err;
  }
  let descriptor: string | undefined;
  const generate = async (n: number): Promise<string[]> => {
    if (!descriptor) {
      const info = (await call('getdescriptorinfo', [ANYONE_CAN_SPEND])) as { checksum: string };
      descriptor = `${ANYONE_CAN_SPEND}#${info.checksum}`;
    }
    return (await call('generatetodescriptor', [n, descriptor])) as string[];
  };
  return { rpcUrl, rpcPort, p2pPort, datadir, pid: child.pid ?? -1, call, generate, stop };
}

function rpcCaller(url: string, user: string, password: string): (method: string, params?: unknown[]) => Promise<unknown> {
  const authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  let id = 0;
  // `connection: close`: litecoind's shutdown waits ~4 s for idle keep-alive RPC connections to drop.
  return async (method, params = []) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization, connection: 'close' },
      body: JSON.stringify({ jsonrpc: '1.0', id: ++id, method, params }),
      signal: AbortSignal.timeout(30_000),
    });
    if (res.status === 401) throw new Error(`${method}: litecoind refused the RPC credentials (HTTP 401)`);
    const body = (await res.json()) as { result?: unknown; error?: { code: number; message: string } | null };
    if (body.error) throw new Error(`${method}: ${body.error.message} (code ${body.error.code})`);
    return body.result;
  };
}

async function stopNode(child: ChildProcess, datadir: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  // litecoind flushes its databases on SIGTERM; a regtest datadir is small, so 20 s is generous.
  await waitForExit(child, 20_000);
  await rm(datadir, { recursive: true, force: true });
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= fn());
}

/** Stops a block producer; callable directly or as `.stop()`. Resolves after an in-flight mine. */
export type BlockProducerStop = (() => Promise<void>) & { stop: () => Promise<void> };

/** Mines one block every `intervalMs` until stopped (the demo's "live chain"); mining errors go to `onError`. */
export function startBlockProducer(
  node: Pick<LitecoindHandle, 'generate'>,
  intervalMs: number,
  onError: (err: unknown) => void = () => {},
): BlockProducerStop {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  const tick = () => {
    inFlight = node.generate(1).then(
      () => undefined,
      (err: unknown) => {
        if (!stopped) onError(err);
      },
    ).then(() => {
      // Chain the next tick after this one, so slow mining never piles up calls.
      if (!stopped) schedule();
    });
  };
  const schedule = () => {
    timer = setTimeout(tick, intervalMs);
    timer.unref();
  };
  schedule();
  const stop = async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    await inFlight;
  };
  return Object.assign(stop, { stop });
}
