import { z } from 'zod';
import type { FleetNode, NodeGroup } from '../../src/fleet/fleet.schema.ts';
import type { Snapshot } from '../../src/health/snapshot.ts';
import { parseClientVersion } from '../../src/health/version.ts';
import type { ChainChecker } from '../../src/ports/rpc.port.ts';
import type { CheckerDeps } from './checker-deps.ts';
import { RpcError, type RpcCall, type RpcOutcome, type RpcTarget } from './json-rpc.client.ts';
import { batchOrSingles } from './rpc-batch.ts';
import { resolveTarget } from './rpc-auth.ts';
import { unexpectedError } from './rpc-errors.ts';
import { firstIssue } from './rpc-schemas.ts';
import { baseSnapshot, downSnapshot, elapsed, scrub } from './snapshot-base.ts';
import { checkpointHeights } from '../../src/health/checkpoints.ts';

// Bitcoin Core ≥ 28 reports `warnings` as a list; older releases and litecoind as one string.
const warningsSchema = z.union([z.string(), z.array(z.string())]).optional();
const chainInfoSchema = z
  .object({
    chain: z.string().min(1).max(64),
    blocks: z.number().int().nonnegative(),
    headers: z.number().int().nonnegative(),
    bestblockhash: z.string().regex(/^[0-9a-f]{64}$/),
    initialblockdownload: z.boolean(),
    verificationprogress: z.number(),
    warnings: warningsSchema,
  })
  .loose();
const count = z.number().int().nonnegative();
// `connections_in`/`connections_out` since Bitcoin Core 0.21; `connections` (their sum) in every release.
const networkInfoSchema = z
  .object({
    subversion: z.string().max(512),
    connections: count.optional(),
    connections_in: count.optional(),
    connections_out: count.optional(),
    warnings: warningsSchema,
  })
  .loose();
const headerSchema = z.object({ time: z.number().int().nonnegative() }).loose();
const hashSchema = z.string().regex(/^[0-9a-f]{64}$/);
const uptimeSchema = z.number().int().nonnegative();
/** A process younger than this gets a warning: a node that keeps restarting shows up in the status. */
const RECENT_START_SEC = 300;
const CALLS: readonly RpcCall[] = [{ method: 'getblockchaininfo' }, { method: 'getnetworkinfo' }, { method: 'uptime' }];

/** Health checker for the Bitcoin Core family (bitcoind, litecoind and other forks with the same RPC). */
export class BitcoinChecker implements ChainChecker {
  constructor(private readonly deps: CheckerDeps) {}

  /** A batch of getblockchaininfo + getnetworkinfo + uptime, then getblockheader for the head time; never throws. */
  async check(node: FleetNode, group: NodeGroup, opts: { timeoutMs: number }): Promise<Snapshot> {
    const now = this.deps.now ?? Date.now;
    const start = performance.now();
    const resolved = await resolveTarget(node, this.deps.env);
    if (!resolved.ok) return downSnapshot(node, group, now(), 0, resolved.error);
    return scrub(await this.inspect(node, group, resolved.target, opts.timeoutMs, start), resolved.target);
  }

  private async inspect(node: FleetNode, group: NodeGroup, target: RpcTarget, timeoutMs: number, start: number): Promise<Snapshot> {
    const now = this.deps.now ?? Date.now;
    let outcomes: RpcOutcome[];
    let latencyMs: number;
    try {
      outcomes = await batchOrSingles(this.deps.client, target, CALLS, timeoutMs, start);
      latencyMs = elapsed(start);
    } catch (err) {
      const message = err instanceof RpcError ? err.message : unexpectedError(err);
      return downSnapshot(node, group, now(), elapsed(start), message);
    }
    const missing: RpcOutcome = { ok: false, error: 'no answer in the batch' };
    const [chain = missing, net = missing, uptime = missing] = outcomes;
    // Every call refused (warm-up, not a Bitcoin RPC): down, with the main call's reason.
    if (!chain.ok && !net.ok && !uptime.ok) return downSnapshot(node, group, now(), latencyMs, `getblockchaininfo failed: ${chain.error}`);
    // Otherwise the node answered: reachable, even when the main answer is unusable.
    const snap: Snapshot = { ...baseSnapshot(node, group, now(), latencyMs), reachable: true };
    if (!chain.ok) return { ...snap, error: `getblockchaininfo failed: ${chain.error}` };
    const info = chainInfoSchema.safeParse(chain.result);
    if (!info.success) return { ...snap, error: `getblockchaininfo returned an unexpected shape (${firstIssue(info.error, 'result')})` };
    const c = info.data;
    snap.chainId = c.chain;
    snap.head = c.blocks;
    snap.syncing = c.initialblockdownload || c.blocks < c.headers;
    snap.syncProgress = Math.max(0, Math.min(1, c.verificationprogress));
    addWarnings(snap, c.warnings);
    readNetwork(snap, net);
    readUptime(snap, uptime);
    snap.hashes = [{ height: c.blocks, hash: c.bestblockhash }];
    // The header and checkpoint calls get what is left of the budget, so one check stays within timeoutMs.
    const left = timeoutMs - (performance.now() - start);
    if (left < 1) snap.warnings.push('no time left to read the head block time');
    else await this.headAndCheckpoints(snap, target, c.bestblockhash, left);
    snap.at = now();
    return snap;
  }

  /** getblockheader of the head (its time) and getblockhash at the checkpoint heights, in one batch. */
  private async headAndCheckpoints(snap: Snapshot, target: RpcTarget, best: string, left: number): Promise<void> {
    const heights = checkpointHeights(snap.head!);
    const calls: RpcCall[] = [{ method: 'getblockheader', params: [best] }, ...heights.map((h) => ({ method: 'getblockhash', params: [h] }))];
    let outcomes: RpcOutcome[];
    try {
      outcomes = await batchOrSingles(this.deps.client, target, calls, left, performance.now());
    } catch (err) {
      snap.warnings.push(`getblockheader failed: ${err instanceof RpcError ? err.message : unexpectedError(err)}`);
      return;
    }
    const [header, ...hashes] = outcomes;
    if (!header?.ok) snap.warnings.push(`getblockheader failed: ${header?.error ?? 'no answer'}`);
    else {
      const parsed = headerSchema.safeParse(header.result);
      if (parsed.success) snap.headTime = parsed.data.time * 1000;
      else snap.warnings.push('getblockheader returned an unexpected shape');
    }
    hashes.forEach((o, i) => {
      const hash = o.ok ? hashSchema.safeParse(o.result) : undefined;
      if (hash?.success) snap.hashes!.push({ height: heights[i]!, hash: hash.data });
    });
  }
}

function readNetwork(snap: Snapshot, net: RpcOutcome): void {
  if (!net.ok) {
    snap.warnings.push(`getnetworkinfo failed: ${net.error}`);
    return;
  }
  const parsed = networkInfoSchema.safeParse(net.result);
  if (!parsed.success) {
    snap.warnings.push('getnetworkinfo returned an unexpected shape');
    return;
  }
  const { connections, connections_in: inbound, connections_out: outbound } = parsed.data;
  if (inbound !== undefined && outbound !== undefined) snap.peers = inbound + outbound;
  else if (connections !== undefined) snap.peers = connections;
  else snap.warnings.push('getnetworkinfo reported no connection count');
  snap.clientVersion = parsed.data.subversion;
  const version = parseClientVersion(parsed.data.subversion);
  if (version) Object.assign(snap, version);
  else snap.warnings.push(`client version not recognised: ${parsed.data.subversion.slice(0, 80)}`);
  addWarnings(snap, parsed.data.warnings);
}

function readUptime(snap: Snapshot, outcome: RpcOutcome): void {
  if (!outcome.ok) return void snap.warnings.push(`uptime failed: ${outcome.error}`);
  const parsed = uptimeSchema.safeParse(outcome.result);
  if (!parsed.success) snap.warnings.push('uptime returned an unexpected shape');
  else if (parsed.data < RECENT_START_SEC) snap.warnings.push(`node process started ${parsed.data}s ago`);
}

function addWarnings(snap: Snapshot, w: string | string[] | undefined): void {
  for (const text of typeof w === 'string' ? [w] : (w ?? [])) {
    if (text.trim() && !snap.warnings.includes(text)) snap.warnings.push(text);
  }
}
