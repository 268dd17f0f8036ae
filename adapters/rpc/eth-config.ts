import { z } from 'zod';
import type { ForkView } from '../../src/health/snapshot.ts';
import type { RpcOutcome } from './json-rpc.client.ts';

// EIP-7910 `eth_config`: `current` always, `next` and `last` null when no fork is scheduled. Only
// the parts ChainOps compares are read; the rest (precompiles, system contracts) may grow freely.
const forkConfig = z.looseObject({
  activationTime: z.number().int().nonnegative(),
  forkId: z.string().regex(/^0x[0-9a-fA-F]{8}$/, 'expected a 4-byte FORK_HASH'),
});
const ethConfigSchema = z.looseObject({ current: forkConfig, next: forkConfig.nullable().optional() });

// Nodes without EIP-7910 answer "method not found" (-32601) or, like Hardhat, "not supported" (-32004).
const UNSUPPORTED = new Set([-32601, -32004]);

/** The node's fork view; undefined (and no warning) when the client does not implement `eth_config`. */
export function readEthConfig(outcome: RpcOutcome | undefined, warn: (text: string) => void): ForkView | undefined {
  if (!outcome) return undefined;
  if (!outcome.ok) {
    if (outcome.code === undefined || !UNSUPPORTED.has(outcome.code)) warn(`eth_config failed: ${outcome.error}`);
    return undefined;
  }
  const parsed = ethConfigSchema.safeParse(outcome.result);
  if (!parsed.success) {
    warn('eth_config returned an unexpected shape');
    return undefined;
  }
  const { current, next } = parsed.data;
  return {
    currentForkId: current.forkId.toLowerCase(),
    ...(next ? { nextForkId: next.forkId.toLowerCase(), nextActivation: next.activationTime } : {}),
  };
}
