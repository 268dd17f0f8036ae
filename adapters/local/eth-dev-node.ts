import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from './free-port.ts';
import { exitedWith, keepTail, killWithParent, waitFor, waitForExit } from './wait-for.ts';

/** A running local Ethereum development node (anvil, Hardhat's node). */
export interface EthDevNodeHandle {
  url: string;
  port: number;
  pid: number;
  /** SIGTERM, then SIGKILL after 5 s; resolves once the process has exited. Safe to call twice. */
  stop(): Promise<void>;
}

/** How to start one: the command and arguments for a port (never through a shell). */
export interface EthDevNodeLaunch {
  /** `anvil on port 1234`, for error messages. */
  name: string;
  command: string;
  args: (port: number) => string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  port?: number;
  startTimeoutMs?: number;
}

/**
 * Starts the node as a child process on 127.0.0.1 and resolves once it answers `eth_chainId`. With
 * no fixed port, a free one is picked and the start retried twice if another process took it first.
 */
export async function startEthDevNode(launch: EthDevNodeLaunch): Promise<EthDevNodeHandle> {
  const attempts = launch.port === undefined ? 3 : 1;
  let lastError: unknown;
  for (let i = 0; i < attempts; i++) {
    const port = launch.port ?? (await freePort());
    try {
      return await startOnce(port, launch);
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError;
}

async function startOnce(port: number, launch: EthDevNodeLaunch): Promise<EthDevNodeHandle> {
  const child = spawn(launch.command, launch.args(port), {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(launch.cwd ? { cwd: launch.cwd } : {}),
    ...(launch.env ? { env: launch.env } : {}),
  });
  const output = keepTail(child);
  killWithParent(child);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(() => answersChainId(url), {
      what: `${launch.name} on port ${port} to answer eth_chainId`,
      timeoutMs: launch.startTimeoutMs ?? 60_000,
      failIf: () => exitedWith(child, output),
    });
  } catch (err) {
    child.kill('SIGKILL');
    await waitForExit(child, 2_000);
    throw err;
  }
  return { url, port, pid: child.pid ?? -1, stop: () => stopChild(child) };
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

/** Only what a dev node needs from the parent's environment (no tokens or keys reach it). */
export function devNodeEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const k of ['PATH', 'HOME', 'TMPDIR', 'LANG']) if (process.env[k] !== undefined) env[k] = process.env[k];
  return { ...env, ...extra };
}
