import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { devNodeEnv, startEthDevNode, type EthDevNodeHandle } from './eth-dev-node.ts';

/** Options of `startHardhat`. */
export interface HardhatOptions {
  /** TCP port on 127.0.0.1; default a free port. */
  port?: number;
  /** Seconds between mined blocks; 0 mines on every transaction only. Default 1. */
  blockTimeSec?: number;
  /** EIP-155 chain id; default 1337. */
  chainId?: number;
  startTimeoutMs?: number;
}

// Hardhat refuses to run outside a project that has it installed: its config lives in this folder.
const CONFIG_DIR = join(dirname(fileURLToPath(import.meta.url)), 'hardhat');

/** Starts Hardhat's node (`hardhat node`, npm package `hardhat`) with the config in adapters/local/hardhat. */
export function startHardhat(opts: HardhatOptions = {}): Promise<EthDevNodeHandle> {
  const cli = hardhatCli();
  return startEthDevNode({
    name: 'hardhat node',
    command: process.execPath,
    args: (port) => [cli, '--config', join(CONFIG_DIR, 'hardhat.config.cjs'), 'node', '--hostname', '127.0.0.1', '--port', String(port)],
    cwd: CONFIG_DIR,
    env: devNodeEnv({
      CHAINOPS_HARDHAT_CHAIN_ID: String(opts.chainId ?? 1337),
      CHAINOPS_HARDHAT_INTERVAL_MS: String((opts.blockTimeSec ?? 1) * 1000),
      HARDHAT_DISABLE_TELEMETRY_PROMPT: 'true',
    }),
    ...(opts.port !== undefined ? { port: opts.port } : {}),
    ...(opts.startTimeoutMs !== undefined ? { startTimeoutMs: opts.startTimeoutMs } : {}),
  });
}

function hardhatCli(): string {
  const require = createRequire(import.meta.url);
  try {
    return join(dirname(require.resolve('hardhat/package.json')), 'internal', 'cli', 'bootstrap.js');
  } catch {
    throw new Error('hardhat is not installed; run `npm ci` (it is a devDependency)');
  }
}
