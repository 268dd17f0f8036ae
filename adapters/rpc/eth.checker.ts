import { z } from 'zod';
import type { FleetNode, NodeGroup } from '../../src/fleet/fleet.schema.ts';
import type { Snapshot } from '../../src/health/snapshot.ts';
import { parseClientVersion } from '../../src/health/version.ts';
import type { ChainChecker } from '../../src/ports/rpc.port.ts';
import { RpcError, type RpcCall, type RpcOutcome } from './json-rpc.client.ts';
import { batchOrSingles } from './rpc-batch.ts';
import { resolveTarget } from './rpc-auth.ts';
import { unexpectedError } from './rpc-errors.ts';
import type { CheckerDeps } from './checker-deps.ts';
import { baseSnapshot, downSnapshot, elapsed, scrub } from './snapshot-base.ts';
import { ethCheckpoint } from '../../src/health/checkpoints.ts';
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

/** Health checker for Ethereum execution nodes (geth, nethermind, erigon, besu, reth, ganache, anvil, Hardhat). */
export class EthChecker implements ChainChecker {
  /**
   * Each node's head at its last check. The checkpoint heights whose hashes a check reads come from
   * it, so they ride in the one batch instead of a second round trip; the grid is absolute, so nodes
   * still share heights. The first check of a node reads only its head's hash.
   */
  private readonly lastHead = new Map<string, number>();

  constructor(private readonly deps: CheckerDeps) {}

  /** One batch round trip (single calls if the node refuses batches); never throws. */
  async check(node: FleetNode, group: NodeGroup, opts: { timeoutMs: number }): Promise<Snapshot> {
    const now = this.deps.now ?? Date.now;
    const start = performance.now();
    const resolved = await resolveTarget(node, this.deps.env);
    if (!resolved.ok) return downSnapshot(node, group, now(), 0, resolved.error);
    const known = this.lastHead.get(node.name);
    const heights = known === undefined ? [] : ethCheckpoint(known);
    const calls = heights.length ? [...CALLS, ...heights.map(blockAt)] : CALLS;
    let outcomes: RpcOutcome[];
    let latencyMs: number;
    try {
      // One batch (single calls if the node refuses batches); the blocks' hash lists are never read.
      outcomes = await batchOrSingles(this.deps.client, resolved.target, calls, opts.timeoutMs, start, UNREAD_ARRAYS);
      latencyMs = elapsed(start);
    } catch (err) {
      const message = err instanceof RpcError ? err.message : unexpectedError(err);
      return scrub(downSnapshot(node, group, now(), elapsed(start), message), resolved.target);
    }
    const snap = fill(baseSnapshot(node, group, now(), latencyMs), outcomes.slice(0, CALLS.length));
    if (snap.reachable && snap.head !== undefined) {
      this.lastHead.set(node.name, snap.head);
      readCheckpoints(snap, heights, outcomes.slice(CALLS.length));
    }
    return scrub(snap, resolved.target);
  }
}

function blockAt(height: number): RpcCall {
  return { method: 'eth_getBlockByNumber', params: [`0x${height.toString(16)}`, false] };
}

/** Hashes at the checkpoint heights; a block the node does not have (a restarted dev chain) is skipped. */
function readCheckpoints(snap: Snapshot, heights: number[], outcomes: RpcOutcome[]): void {
  outcomes.forEach((o, i) => {
    const block = o.ok ? blockSchema.safeParse(o.result) : undefined;
    const hash = block?.success ? block.data?.hash : undefined;
    const height = heights[i]!;
    if (hash && hexToNumber(block!.data!.number) === height && !snap.hashes?.some((x) => x.height === height)) {
      (snap.hashes ??= []).push({ height, hash: hash.toLowerCase() });
    }
  });
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
