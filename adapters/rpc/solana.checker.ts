import { z } from 'zod';
import type { FleetNode, NodeGroup } from '../../src/fleet/fleet.schema.ts';
import type { Snapshot } from '../../src/health/snapshot.ts';
import { parseClientVersion } from '../../src/health/version.ts';
import type { ChainChecker } from '../../src/ports/rpc.port.ts';
import type { CheckerDeps } from './checker-deps.ts';
import { RpcError, type RpcCall, type RpcOutcome, type RpcTarget } from './json-rpc.client.ts';
import { rejection, type Read } from './rest-answer.ts';
import { batchOrSingles } from './rpc-batch.ts';
import { resolveTarget } from './rpc-auth.ts';
import { clipText, firstIssue, warn } from './rpc-schemas.ts';
import { baseSnapshot, downSnapshot, elapsed, scrub } from './snapshot-base.ts';

/** Agave's "node unhealthy" error; `data.numSlotsBehind` says how far behind, or null when it cannot tell. */
export const NODE_UNHEALTHY = -32005;
// getBlockTime on a slot without a block (skipped, or not kept by this node): no head time, no alarm.
const NO_BLOCK_CODES = new Set([-32004, -32007, -32009]);

const slotSchema = z.number().int().nonnegative().refine(Number.isSafeInteger, 'slot too large');
// Agave's RpcVersionInfo has `feature_set: Option<u32>`, serialised as null when unknown.
const versionSchema = z.object({ 'solana-core': z.string().min(1).max(64), 'feature-set': z.number().int().nullish() }).loose();
const genesisHashSchema = z.string().regex(/^[1-9A-HJ-NP-Za-km-z]{32,44}$/, 'expected a base58 hash');
const unhealthySchema = z.object({ numSlotsBehind: z.number().int().nonnegative().nullable().optional() }).loose();
const blockTimeSchema = z.number().int().nonnegative().nullable();

// `confirmed`: a head about a second old; the default `finalized` lags ~32 slots behind it.
const CALLS: readonly RpcCall[] = [
  { method: 'getHealth' },
  { method: 'getSlot', params: [{ commitment: 'confirmed' }] },
  { method: 'getVersion' },
  { method: 'getGenesisHash' },
];

/**
 * Health checker for Solana RPC nodes (Agave, Firedancer): getHealth, getSlot, getVersion and
 * getGenesisHash in one batch, then getBlockTime for the head time. Peers stay undefined:
 * getClusterNodes lists the whole cluster (thousands of entries) and says nothing about this node's
 * own connections.
 */
export class SolanaChecker implements ChainChecker {
  constructor(private readonly deps: CheckerDeps) {}

  /** Never throws: an unreachable node is a snapshot with `reachable: false`. */
  async check(node: FleetNode, group: NodeGroup, opts: { timeoutMs: number }): Promise<Snapshot> {
    const now = this.deps.now ?? Date.now;
    const start = performance.now();
    const resolved = await resolveTarget(node, this.deps.env);
    if (!resolved.ok) return downSnapshot(node, group, now(), 0, resolved.error);
    const target = resolved.target;
    let outcomes: RpcOutcome[];
    try {
      outcomes = await batchOrSingles(this.deps.client, target, CALLS, opts.timeoutMs, start);
    } catch (err) {
      return scrub(downSnapshot(node, group, now(), elapsed(start), rejection(err)), target);
    }
    const [health, slot, version, genesis] = outcomes;
    // The slot is what a status is judged on: without it the node answered but cannot be called healthy.
    const head = read(slot, slotSchema, 'getSlot');
    const unhealthy = health && !health.ok && health.code === NODE_UNHEALTHY;
    if (!unhealthy && outcomes.every((o) => !o.ok) && !head.ok) {
      // Every call refused (method not found…): not a Solana RPC, or a node that cannot answer yet.
      return scrub(downSnapshot(node, group, now(), elapsed(start), `no Solana RPC answer: ${head.problem}`), target);
    }
    const snap: Snapshot = { ...baseSnapshot(node, group, now(), elapsed(start)), reachable: true };
    readHealth(snap, health);
    if (head.ok) snap.head = head.data;
    else snap.error = head.problem;
    const v = read(version, versionSchema, 'getVersion');
    if (v.ok) {
      const raw = v.data['solana-core'];
      snap.clientVersion = `solana-core/${raw}`;
      const parsed = parseClientVersion(snap.clientVersion);
      if (parsed) Object.assign(snap, parsed);
      else warn(snap, `client version not recognised: ${raw}`);
    } else warn(snap, v.problem);
    const hash = read(genesis, genesisHashSchema, 'getGenesisHash');
    if (hash.ok) snap.chainId = hash.data;
    else warn(snap, hash.problem);
    if (head.ok) await this.headTime(snap, target, head.data, opts.timeoutMs - (performance.now() - start));
    snap.at = now();
    return scrub(snap, target);
  }

  private async headTime(snap: Snapshot, target: RpcTarget, slot: number, left: number): Promise<void> {
    if (left < 1) return warn(snap, 'no time left to read the head block time');
    try {
      const time = blockTimeSchema.safeParse(await this.deps.client.call(target, 'getBlockTime', [slot], { timeoutMs: left }));
      if (!time.success) warn(snap, `getBlockTime returned an unexpected shape (${firstIssue(time.error, 'result')})`);
      else if (time.data !== null) snap.headTime = time.data * 1000;
    } catch (err) {
      if (err instanceof RpcError && err.rpcCode !== undefined && NO_BLOCK_CODES.has(err.rpcCode)) return;
      warn(snap, `getBlockTime failed: ${rejection(err).replace(/^getBlockTime: /, '')}`);
    }
  }
}

/** "ok" is healthy; -32005 means the node is behind the cluster, which is what syncing means here. */
function readHealth(snap: Snapshot, outcome: RpcOutcome | undefined): void {
  if (!outcome) return;
  if (outcome.ok) {
    if (outcome.result === 'ok') snap.syncing = false;
    else warn(snap, `getHealth answered ${clipText(JSON.stringify(outcome.result) ?? 'nothing', 60)} instead of "ok"`);
    return;
  }
  if (outcome.code !== NODE_UNHEALTHY) return warn(snap, `getHealth failed: ${outcome.error}`);
  snap.syncing = true;
  const data = unhealthySchema.safeParse(outcome.data ?? {});
  const behind = data.success ? data.data.numSlotsBehind : undefined;
  if (typeof behind === 'number') warn(snap, `node is behind by ${behind} slots (getHealth)`);
  else warn(snap, `node reports itself unhealthy (getHealth: ${outcome.error})`);
}

/** The validated result, or a problem that names the method. */
function read<T>(outcome: RpcOutcome | undefined, schema: z.ZodType<T>, method: string): Read<T> {
  if (!outcome) return { ok: false, problem: `${method} gave no answer` };
  if (!outcome.ok) return { ok: false, problem: `${method} failed: ${outcome.error}` };
  const parsed = schema.safeParse(outcome.result);
  if (parsed.success) return { ok: true, data: parsed.data };
  return { ok: false, problem: `${method} returned an unexpected shape (${firstIssue(parsed.error, 'result')})` };
}
