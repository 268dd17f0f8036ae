import { z } from 'zod';
import type { FleetNode, NodeGroup } from '../../src/fleet/fleet.schema.ts';
import type { Snapshot } from '../../src/health/snapshot.ts';
import { parseClientVersion } from '../../src/health/version.ts';
import type { ChainChecker } from '../../src/ports/rpc.port.ts';
import { BeaconClockCache, slotTime, type BeaconClock } from './beacon-clock.ts';
import type { CheckerDeps } from './checker-deps.ts';
import type { HttpAnswer } from './json-rpc.client.ts';
import { readRest, rejection, type Read } from './rest-answer.ts';
import { resolveTarget } from './rpc-auth.ts';
import { uintLike, warn } from './rpc-schemas.ts';
import { baseSnapshot, downSnapshot, elapsed, scrub } from './snapshot-base.ts';

export const HEALTH_PATH = '/eth/v1/node/health';
export const SYNCING_PATH = '/eth/v1/node/syncing';
export const PEER_COUNT_PATH = '/eth/v1/node/peer_count';
/** Deprecated by the spec in favour of `VERSION_V2_PATH`; read only when v2 gives no usable answer. */
export const VERSION_PATH = '/eth/v1/node/version';
export const VERSION_V2_PATH = '/eth/v2/node/version';

const syncingSchema = z
  .object({
    data: z
      .object({
        head_slot: uintLike,
        sync_distance: uintLike,
        is_syncing: z.boolean(),
        // Added to the spec later than the others; older clients leave them out.
        is_optimistic: z.boolean().optional(),
        el_offline: z.boolean().optional(),
      })
      .loose(),
  })
  .loose();
const peerCountSchema = z.object({ data: z.object({ connected: uintLike }).loose() }).loose();
const versionSchema = z.object({ data: z.object({ version: z.string().min(1).max(512) }).loose() }).loose();
// apis/node/version.v2.yaml: `ClientVersionV1` of the beacon node (Engine API identification).
const clientVersionV1 = z.object({ name: z.string().min(1).max(128), version: z.string().min(1).max(128) }).loose();
const versionV2Schema = z.object({ data: z.object({ beacon_node: clientVersionV1 }).loose() }).loose();

type Got = PromiseSettledResult<HttpAnswer>;

/**
 * Health checker for Ethereum consensus nodes over the standard Beacon API (Lighthouse, Prysm, Teku,
 * Nimbus, Lodestar, Grandine). Head is the head slot; head time comes from genesis time and slot length.
 */
export class BeaconChecker implements ChainChecker {
  private readonly clocks: BeaconClockCache;

  constructor(private readonly deps: CheckerDeps) {
    this.clocks = new BeaconClockCache(deps.client);
  }

  /** Four GETs in parallel (plus genesis and spec on the first check of a node); never throws. */
  async check(node: FleetNode, group: NodeGroup, opts: { timeoutMs: number }): Promise<Snapshot> {
    const now = this.deps.now ?? Date.now;
    const start = performance.now();
    const resolved = await resolveTarget(node, this.deps.env);
    if (!resolved.ok) return downSnapshot(node, group, now(), 0, resolved.error);
    const target = resolved.target;
    const get = (path: string) => this.deps.client.get(target, path, { timeoutMs: opts.timeoutMs });
    const [[health, syncing, peers, version], clock] = await Promise.all([
      Promise.allSettled([get(HEALTH_PATH), get(SYNCING_PATH), get(PEER_COUNT_PATH), get(VERSION_V2_PATH)]),
      this.clocks.get(target, opts.timeoutMs),
    ]);
    const latencyMs = elapsed(start);
    const sync = readRest(syncing, syncingSchema, SYNCING_PATH);
    const peerCount = readRest(peers, peerCountSchema, PEER_COUNT_PATH);
    const v2 = readRest(version, versionV2Schema, VERSION_V2_PATH);
    const healthKnown = health.status === 'fulfilled' && [200, 206, 503].includes(health.value.status);
    if (!healthKnown && ![syncing, peers, version].some(jsonAnswer)) {
      // Not one Beacon API answer: the node is down, or this is not a Beacon API (wrong port or kind).
      const why = health.status === 'rejected' ? rejection(health.reason) : `no Beacon API answer: ${sync.ok ? 'no usable answer' : sync.problem}`;
      return scrub(downSnapshot(node, group, now(), latencyMs, why), target);
    }
    const snap: Snapshot = { ...baseSnapshot(node, group, now(), latencyMs), reachable: true };
    const code = readHealth(snap, health);
    readSyncing(snap, sync, clock.clock);
    if (code === 206 && !snap.syncing && !snap.faults?.length) {
      // Since 2024 the spec's 206 also means "execution node optimistic or offline": not ready either way.
      fault(snap, `${HEALTH_PATH} answered 206: syncing, or its execution client is optimistic or offline`);
    }
    for (const w of clock.warnings) warn(snap, w);
    if (clock.clock?.chainId) snap.chainId = clock.clock.chainId;
    if (peerCount.ok) snap.peers = peerCount.data.data.connected;
    else warn(snap, peerCount.problem);
    if (v2.ok) readVersion(snap, `${v2.data.data.beacon_node.name}/${v2.data.data.beacon_node.version}`);
    else {
      const v1 = readRest(await Promise.allSettled([get(VERSION_PATH)]).then(([r]) => r), versionSchema, VERSION_PATH);
      if (v1.ok) readVersion(snap, v1.data.data.version);
      else warn(snap, v1.problem);
    }
    return scrub(snap, target);
  }
}

/** A 2xx JSON answer: a Beacon API spoke, even if what it said is malformed. */
function jsonAnswer(got: Got): boolean {
  return got.status === 'fulfilled' && got.value.status >= 200 && got.value.status < 300 && got.value.json !== undefined;
}

/**
 * 200 ready; 206 syncing or execution optimistic/offline (read with /node/syncing); 503 not
 * initialised: the node itself says it cannot serve, so it counts as down. Returns the status.
 */
function readHealth(snap: Snapshot, got: Got): number | undefined {
  if (got.status === 'rejected') return void warn(snap, `${HEALTH_PATH} failed: ${rejection(got.reason)}`);
  const status = got.value.status;
  if (status === 503) {
    snap.reachable = false;
    snap.error = `beacon node not ready: ${HEALTH_PATH} answered HTTP 503 (not initialised or having issues)`;
  } else if (status !== 200 && status !== 206) warn(snap, `${HEALTH_PATH} answered HTTP ${status}`);
  return status;
}

function fault(snap: Snapshot, text: string): void {
  const list = (snap.faults ??= []);
  if (!list.includes(text)) list.push(text);
}

function readSyncing(snap: Snapshot, read: Read<z.infer<typeof syncingSchema>>, clock: BeaconClock | undefined): void {
  if (!read.ok) {
    // The head is the one thing a status needs: without it the node is reachable but not judged healthy.
    if (snap.error) warn(snap, read.problem);
    else snap.error = read.problem;
    return;
  }
  const d = read.data.data;
  snap.head = d.head_slot;
  snap.syncing = d.is_syncing;
  const goal = d.head_slot + d.sync_distance;
  if (snap.syncing && goal > 0) snap.syncProgress = d.head_slot / goal;
  if (snap.syncing && d.sync_distance > 0) warn(snap, `${d.sync_distance} slots behind the network head`);
  // Either flag means the data served may be wrong: a fault against the verdict, not a mere warning.
  if (d.is_optimistic) fault(snap, 'optimistic: the head is not yet verified by the execution client');
  if (d.el_offline) fault(snap, 'execution client offline (el_offline): check the execution node and the engine API JWT');
  if (clock) snap.headTime = slotTime(clock, d.head_slot);
}

function readVersion(snap: Snapshot, raw: string): void {
  snap.clientVersion = raw;
  const parsed = parseClientVersion(raw);
  if (parsed) Object.assign(snap, parsed);
  else warn(snap, `client version not recognised: ${raw.slice(0, 80)}`);
}
