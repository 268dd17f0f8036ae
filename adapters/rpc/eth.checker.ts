import { z } from 'zod';
import type { FleetNode, NodeGroup } from '../../src/fleet/fleet.schema.ts';
import type { Snapshot } from '../../src/health/snapshot.ts';
import { parseClientVersion } from '../../src/health/version.ts';
import type { ChainChecker } from '../../src/ports/rpc.port.ts';
import { RpcError, type RpcCall, type RpcOutcome, type RpcTarget } from './json-rpc.client.ts';
import { batchOrSingles } from './rpc-batch.ts';
import { resolveTarget } from './rpc-auth.ts';
import { unexpectedError } from './rpc-errors.ts';
import type { CheckerDeps } from './checker-deps.ts';
import { baseSnapshot, downSnapshot, elapsed, scrub } from './snapshot-base.ts';
import { checkpointHeights } from '../../src/health/checkpoints.ts';
import { readEthConfig } from './eth-config.ts';

const hexQty = z.string().regex(/^0x[0-9a-fA-F]{1,64}$/, 'expected a hex quantity');
const syncingSchema = z.union([
  z.boolean(),
  z.object({ currentBlock: hexQty, highestBlock: hexQty, startingBlock: hexQty.optional() }).loose(),
]);
const hash32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'expected a 32-byte hash');
const blockSchema = z.object({ number: hexQty, timestamp: hexQty, hash: hash32.nullish() }).loose().nullable();
const versionSchema = z.string().max(512);

/** Arrays of the latest block nobody reads: emptied before the answer is parsed. */
const UNREAD_ARRAYS = ['transactions', 'withdrawals', 'uncles'] as const;

const CALLS: RpcCall[] = [
  { method: 'eth_chainId' },
  { method: 'web3_clientVersion' },
  { method: 'eth_syncing' },
  { method: 'eth_blockNumber' },
  { method: 'eth_getBlockByNumber', params: ['latest', false] },
  { method: 'net_peerCount' },
  { method: 'eth_config' },
];

/** Health checker for Ethereum execution nodes (geth, nethermind, erigon, besu, reth, ganache). */
export class EthChecker implements ChainChecker {
  constructor(private readonly deps: CheckerDeps) {}

  /** One batch round trip (single calls if the node refuses batches); never throws. */
  async check(node: FleetNode, group: NodeGroup, opts: { timeoutMs: number }): Promise<Snapshot> {
    const now = this.deps.now ?? Date.now;
    const start = performance.now();
    const resolved = await resolveTarget(node, this.deps.env);
    if (!resolved.ok) return downSnapshot(node, group, now(), 0, resolved.error);
    let outcomes: RpcOutcome[];
    let latencyMs: number;
    try {
      // One batch (single calls if the node refuses batches); the block's hash lists are never read.
      outcomes = await batchOrSingles(this.deps.client, resolved.target, CALLS, opts.timeoutMs, start, UNREAD_ARRAYS);
      latencyMs = elapsed(start);
    } catch (err) {
      const message = err instanceof RpcError ? err.message : unexpectedError(err);
      return scrub(downSnapshot(node, group, now(), elapsed(start), message), resolved.target);
    }
    const snap = fill(baseSnapshot(node, group, now(), latencyMs), outcomes);
    if (snap.reachable && snap.head !== undefined) await this.checkpoints(snap, resolved.target, opts.timeoutMs, start);
    return scrub(snap, resolved.target);
  }

  /** Hashes at the checkpoint heights (one more batch, within what is left of the budget); best effort. */
  private async checkpoints(snap: Snapshot, target: RpcTarget, timeoutMs: number, start: number): Promise<void> {
    const heights = checkpointHeights(snap.head!);
    const left = timeoutMs - (performance.now() - start);
    if (heights.length === 0 || left < 1) return;
    const calls = heights.map((h): RpcCall => ({ method: 'eth_getBlockByNumber', params: [`0x${h.toString(16)}`, false] }));
    try {
      const outcomes = await batchOrSingles(this.deps.client, target, calls, left, performance.now(), UNREAD_ARRAYS);
      outcomes.forEach((o, i) => {
        const block = o.ok ? blockSchema.safeParse(o.result) : undefined;
        const hash = block?.success ? block.data?.hash : undefined;
        if (hash && hexToNumber(block!.data!.number) === heights[i]) (snap.hashes ??= []).push({ height: heights[i]!, hash: hash.toLowerCase() });
      });
    } catch (err) {
      snap.warnings.push(`checkpoint blocks failed: ${err instanceof RpcError ? err.message : unexpectedError(err)}`);
    }
  }
}

/** Reads the batch answers into the snapshot; a failed optional call becomes a warning. */
function fill(snap: Snapshot, outcomes: RpcOutcome[]): Snapshot {
  const [chainId, clientVersion, syncing, blockNumber, block, peers, config] = outcomes;
  const head = read(blockNumber, hexQty, 'eth_blockNumber', snap);
  if (head === undefined) {
    const why = blockNumber && !blockNumber.ok ? blockNumber.error : 'no usable answer';
    return { ...snap, reachable: false, error: `eth_blockNumber failed: ${why}` };
  }
  snap.reachable = true;
  snap.head = hexToNumber(head);
  const id = read(chainId, hexQty, 'eth_chainId', snap);
  if (id !== undefined) snap.chainId = BigInt(id).toString();
  const raw = read(clientVersion, versionSchema, 'web3_clientVersion', snap);
  if (raw !== undefined) {
    snap.clientVersion = raw;
    const parsed = parseClientVersion(raw);
    if (parsed) Object.assign(snap, parsed);
    else snap.warnings.push(`client version not recognised: ${raw.slice(0, 80)}`);
  }
  const sync = read(syncing, syncingSchema, 'eth_syncing', snap);
  if (sync !== undefined) {
    snap.syncing = sync !== false;
    if (typeof sync === 'object') {
      const highest = hexToNumber(sync.highestBlock);
      if (highest > 0) snap.syncProgress = Math.min(1, hexToNumber(sync.currentBlock) / highest);
    }
  }
  const latest = read(block, blockSchema, 'eth_getBlockByNumber', snap);
  if (latest) {
    snap.headTime = hexToNumber(latest.timestamp) * 1000;
    if (latest.hash) snap.hashes = [{ height: hexToNumber(latest.number), hash: latest.hash.toLowerCase() }];
  }
  const view = readEthConfig(config, (w) => snap.warnings.push(w));
  if (view) snap.forkView = view;
  const count = read(peers, hexQty, 'net_peerCount', snap);
  if (count !== undefined) snap.peers = hexToNumber(count);
  return snap;
}

function read<T>(outcome: RpcOutcome | undefined, schema: z.ZodType<T>, method: string, snap: Snapshot): T | undefined {
  if (!outcome) return undefined;
  if (!outcome.ok) {
    snap.warnings.push(`${method} failed: ${outcome.error}`);
    return undefined;
  }
  const parsed = schema.safeParse(outcome.result);
  if (!parsed.success) {
    snap.warnings.push(`${method} returned an unexpected shape`);
    return undefined;
  }
  return parsed.data;
}

function hexToNumber(hex: string): number {
  return Number.parseInt(hex, 16);
}
