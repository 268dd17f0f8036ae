import { z } from 'zod';
import type { FleetNode, NodeGroup } from '../../src/fleet/fleet.schema.ts';
import type { Snapshot } from '../../src/health/snapshot.ts';
import { parseClientVersion } from '../../src/health/version.ts';
import type { ChainChecker } from '../../src/ports/rpc.port.ts';
import type { CheckerDeps } from './checker-deps.ts';
import type { HttpAnswer } from './json-rpc.client.ts';
import { errorText, readRest, rejection, type Read } from './rest-answer.ts';
import { resolveTarget } from './rpc-auth.ts';
import { firstIssue, uintLike, warn } from './rpc-schemas.ts';
import { baseSnapshot, downSnapshot, elapsed, scrub } from './snapshot-base.ts';

export const STATUS_PATH = '/status';
export const NET_INFO_PATH = '/net_info';

// URI endpoints still answer in a JSON-RPC envelope: `{ jsonrpc, id, result }` or `{ …, error }`.
const envelope = z
  .object({ result: z.unknown().optional(), error: z.object({ message: z.string().optional(), data: z.unknown().optional() }).loose().nullish() })
  .loose();
const statusSchema = z
  .object({
    node_info: z.object({ network: z.string().min(1).max(128), version: z.string().min(1).max(128) }).loose(),
    sync_info: z
      .object({ latest_block_height: uintLike, latest_block_time: z.string().max(64), catching_up: z.boolean() })
      .loose(),
  })
  .loose();
const netInfoSchema = z.object({ n_peers: uintLike }).loose();

// RFC3339Nano as CometBFT writes it: up to 9 fraction digits, trailing zeros dropped.
const RFC3339 = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Health checker for CometBFT (and Tendermint) nodes of Cosmos SDK chains: `/status` and `/net_info`
 * over HTTP GET. Version is the CometBFT version the node reports, not the application's.
 */
export class CometBftChecker implements ChainChecker {
  constructor(private readonly deps: CheckerDeps) {}

  /** Two GETs in parallel; never throws. */
  async check(node: FleetNode, group: NodeGroup, opts: { timeoutMs: number }): Promise<Snapshot> {
    const now = this.deps.now ?? Date.now;
    const start = performance.now();
    const resolved = await resolveTarget(node, this.deps.env);
    if (!resolved.ok) return downSnapshot(node, group, now(), 0, resolved.error);
    const target = resolved.target;
    const get = (path: string) => this.deps.client.get(target, path, { timeoutMs: opts.timeoutMs });
    const [status, netInfo] = await Promise.allSettled([get(STATUS_PATH), get(NET_INFO_PATH)]);
    const latencyMs = elapsed(start);
    const st = readResult(status, statusSchema, STATUS_PATH);
    const net = readResult(netInfo, netInfoSchema, NET_INFO_PATH);
    if (!spoke(status) && !spoke(netInfo)) {
      // Not one JSON-RPC envelope: the node is down, or this is not a CometBFT RPC (wrong port or kind).
      const why = status.status === 'rejected' ? rejection(status.reason) : `no CometBFT RPC answer: ${st.ok ? 'no usable answer' : st.problem}`;
      return scrub(downSnapshot(node, group, now(), latencyMs, why), target);
    }
    const snap: Snapshot = { ...baseSnapshot(node, group, now(), latencyMs), reachable: true };
    if (st.ok) fillStatus(snap, st.data);
    else snap.error = st.problem;
    if (net.ok) snap.peers = net.data.n_peers;
    else warn(snap, net.problem);
    return scrub(snap, target);
  }
}

function fillStatus(snap: Snapshot, status: z.infer<typeof statusSchema>): void {
  const { node_info: info, sync_info: sync } = status;
  snap.chainId = info.network;
  snap.head = sync.latest_block_height;
  snap.syncing = sync.catching_up;
  snap.clientVersion = info.version;
  const parsed = parseClientVersion(`cometbft/${info.version}`);
  if (parsed) Object.assign(snap, parsed);
  else warn(snap, `client version not recognised: ${info.version.slice(0, 80)}`);
  // A node with no block yet reports height 0 and Go's zero time (year 1): no head time then.
  const time = parseRfc3339(sync.latest_block_time);
  if (time !== undefined && time > 0) snap.headTime = time;
  else if (sync.latest_block_height > 0) warn(snap, `latest_block_time is not a usable RFC3339 time: ${sync.latest_block_time.slice(0, 40)}`);
}

/** True when the answer is a JSON-RPC envelope (a result or an error), whatever its HTTP status or content. */
function spoke(got: PromiseSettledResult<HttpAnswer>): boolean {
  if (got.status === 'rejected') return false;
  const parsed = envelope.safeParse(got.value.json);
  return parsed.success && (parsed.data.result !== undefined || Boolean(parsed.data.error));
}

/** Reads the envelope, then the `result` through `schema`; a JSON-RPC error becomes the problem text. */
function readResult<T>(got: PromiseSettledResult<HttpAnswer>, schema: z.ZodType<T>, path: string): Read<T> {
  const outer = readRest(got, envelope, path);
  if (!outer.ok) return outer;
  if (outer.data.error) return { ok: false, problem: `${path} returned an error: ${errorText(outer.data) ?? 'no message'}` };
  const parsed = schema.safeParse(outer.data.result);
  if (!parsed.success) return { ok: false, problem: `${path} returned an unexpected shape (${firstIssue(parsed.error, 'result')})` };
  return { ok: true, data: parsed.data };
}

/** Epoch ms of an RFC3339 time with up to nanosecond precision (kept to the millisecond). */
export function parseRfc3339(text: string): number | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const fraction = m[2] ? `.${m[2].slice(0, 3).padEnd(3, '0')}` : '';
  const ms = Date.parse(`${m[1]}${fraction}${m[3]}`);
  return Number.isFinite(ms) ? ms : undefined;
}
