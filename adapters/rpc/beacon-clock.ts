import { z } from 'zod';
import type { JsonRpcClient, RpcTarget } from './json-rpc.client.ts';
import { readRest } from './rest-answer.ts';
import { uintLike } from './rpc-schemas.ts';

/** Mainnet and every public Ethereum testnet use 12 s slots; Gnosis uses 5 s, hence reading the spec. */
const DEFAULT_SECONDS_PER_SLOT = 12;
export const GENESIS_PATH = '/eth/v1/beacon/genesis';
export const SPEC_PATH = '/eth/v1/config/spec';

const genesisSchema = z.object({ data: z.object({ genesis_time: uintLike }).loose() }).loose();
// The spec holds a few hundred constants, all strings; only these two are read.
const specSchema = z
  .object({ data: z.object({ SECONDS_PER_SLOT: uintLike.refine((n) => n > 0, 'must be positive'), DEPOSIT_CHAIN_ID: uintLike.optional() }).loose() })
  .loose();

/** What turns a slot number into a time, plus the execution chain id the beacon chain deposits from. */
export interface BeaconClock {
  genesisMs: number;
  slotMs: number;
  /** `DEPOSIT_CHAIN_ID` of the spec: 1 mainnet, 11155111 sepolia, 17000 holesky. */
  chainId?: string;
}

/**
 * Genesis time and slot length never change for a running chain, so they are fetched once per node URL
 * and kept. Only complete answers are kept: after a failure the next check asks again.
 */
export class BeaconClockCache {
  private readonly byUrl = new Map<string, BeaconClock>();

  constructor(private readonly client: JsonRpcClient) {}

  /** The node's clock, and a warning when part of it could not be read; never throws. */
  async get(target: RpcTarget, timeoutMs: number): Promise<{ clock?: BeaconClock; warnings: string[] }> {
    const known = this.byUrl.get(target.url);
    if (known) return { clock: known, warnings: [] };
    const [genesisGot, specGot] = await Promise.allSettled([
      this.client.get(target, GENESIS_PATH, { timeoutMs }),
      this.client.get(target, SPEC_PATH, { timeoutMs }),
    ]);
    const genesis = readRest(genesisGot, genesisSchema, GENESIS_PATH);
    const spec = readRest(specGot, specSchema, SPEC_PATH);
    if (!genesis.ok) return { warnings: [`head time unknown: ${genesis.problem}`] };
    const clock: BeaconClock = {
      genesisMs: genesis.data.data.genesis_time * 1000,
      slotMs: (spec.ok ? spec.data.data.SECONDS_PER_SLOT : DEFAULT_SECONDS_PER_SLOT) * 1000,
      ...(spec.ok && spec.data.data.DEPOSIT_CHAIN_ID !== undefined ? { chainId: String(spec.data.data.DEPOSIT_CHAIN_ID) } : {}),
    };
    if (!spec.ok) return { clock, warnings: [`slot length unknown, assumed ${DEFAULT_SECONDS_PER_SLOT}s: ${spec.problem}`] };
    this.byUrl.set(target.url, clock);
    return { clock, warnings: [] };
  }
}

/** Start time of `slot` in epoch ms. */
export function slotTime(clock: BeaconClock, slot: number): number {
  return clock.genesisMs + slot * clock.slotMs;
}
