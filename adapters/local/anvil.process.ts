import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { devNodeEnv, startEthDevNode, type EthDevNodeHandle } from './eth-dev-node.ts';

/** Options of `startAnvil`. */
export interface AnvilOptions {
  /** TCP port on 127.0.0.1; default a free port. */
  port?: number;
  /** Seconds between mined blocks; 0 mines on every transaction only. Default 1. */
  blockTimeSec?: number;
  /** EIP-155 chain id; default 1337. */
  chainId?: number;
  /** Hardfork to run (`cancun`, `prague`, `osaka` …); default anvil's latest. */
  hardfork?: string;
  /** Genesis block timestamp (Unix seconds): two anvils with the same one start on the same genesis. */
  genesisTimestamp?: number;
  /** Wallet mnemonic, so accounts are the same on every start; default anvil's test mnemonic. */
  mnemonic?: string;
  startTimeoutMs?: number;
}

/** Starts Foundry's anvil (the binary shipped by the npm package `@foundry-rs/anvil`). */
export function startAnvil(opts: AnvilOptions = {}): Promise<EthDevNodeHandle> {
  const args = (port: number): string[] => [
    '--host', '127.0.0.1',
    '--port', String(port),
    '--chain-id', String(opts.chainId ?? 1337),
    ...((opts.blockTimeSec ?? 1) > 0 ? ['--block-time', String(opts.blockTimeSec ?? 1)] : []),
    ...(opts.hardfork ? ['--hardfork', opts.hardfork] : []),
    ...(opts.genesisTimestamp !== undefined ? ['--timestamp', String(opts.genesisTimestamp)] : []),
    ...(opts.mnemonic ? ['--mnemonic', opts.mnemonic] : []),
    '--silent',
  ];
  return startEthDevNode({
    name: 'anvil',
    command: anvilBinary(),
    args,
    env: devNodeEnv(),
    ...(opts.port !== undefined ? { port: opts.port } : {}),
    ...(opts.startTimeoutMs !== undefined ? { startTimeoutMs: opts.startTimeoutMs } : {}),
  });
}

const PLATFORM_PACKAGE: Record<string, string> = {
  'linux-x64': '@foundry-rs/anvil-linux-amd64',
  'linux-arm64': '@foundry-rs/anvil-linux-arm64',
  'darwin-x64': '@foundry-rs/anvil-darwin-amd64',
  'darwin-arm64': '@foundry-rs/anvil-darwin-arm64',
  'win32-x64': '@foundry-rs/anvil-win32-amd64',
};

/** The anvil binary from the platform package npm installed next to `@foundry-rs/anvil`. */
export function anvilBinary(): string {
  const pkg = PLATFORM_PACKAGE[`${process.platform}-${process.arch}`];
  if (!pkg) throw new Error(`anvil ships no binary for ${process.platform}-${process.arch}; install Foundry and put anvil on PATH`);
  const require = createRequire(import.meta.url);
  try {
    return join(dirname(require.resolve(`${pkg}/package.json`)), 'bin', process.platform === 'win32' ? 'anvil.exe' : 'anvil');
  } catch {
    throw new Error(`${pkg} is not installed; run \`npm ci\` (it is an optional dependency of @foundry-rs/anvil)`);
  }
}
