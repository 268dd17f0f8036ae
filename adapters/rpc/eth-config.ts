import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { ForkView } from '../../src/health/snapshot.ts';
import type { RpcOutcome } from './json-rpc.client.ts';

// EIP-7910 `eth_config`: `current` always, `next` and `last` null when no fork is scheduled. Only
// what ChainOps compares is validated; the rest (precompiles, system contracts) goes into a digest.
const forkConfig = z.looseObject({
  activationTime: z.number().int().nonnegative(),
  forkId: z.string().regex(/^0x[0-9a-fA-F]{8}$/, 'expected a 4-byte FORK_HASH'),
});
const ethConfigSchema = z.looseObject({ current: forkConfig, next: forkConfig.nullable().optional() });

/**
 * The node's fork view. Nodes without EIP-7910 answer with an error (-32601, Hardhat -32004,
 * ganache -32700): `eth_config` is optional, so that is no view and no warning.
 */
export function readEthConfig(outcome: RpcOutcome | undefined, warn: (text: string) => void): ForkView | undefined {
  if (!outcome?.ok) return undefined;
  const parsed = ethConfigSchema.safeParse(outcome.result);
  if (!parsed.success) {
    warn('eth_config returned an unexpected shape');
    return undefined;
  }
  const { current, next } = parsed.data;
  return {
    currentForkId: current.forkId.toLowerCase(),
    // Two nodes can share a FORK_HASH (dev chains report 0x00000000) yet run different rules: the
    // whole configuration decides, as EIP-7910 intends.
    currentDigest: digest(current),
    ...(next ? { nextForkId: next.forkId.toLowerCase(), nextActivation: next.activationTime, nextDigest: digest(next) } : {}),
  };
}

/** 12 hex characters of SHA-256 over the JSON with keys sorted at every level. */
function digest(value: unknown): string {
  return createHash('sha256').update(canonical(value)).digest('hex').slice(0, 12);
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}
