import { errorMessage } from '../../src/errors.ts';
import type { SweepMember, SweepMembers } from '../../src/ports/sweep-members.port.ts';
import type { HostLogger } from '../worker-host.ts';
import { shareOf } from './shares.ts';

export interface ShardedSweeperOptions {
  members: SweepMembers;
  /** This worker's unique id. */
  id: string;
  /** The fleet's node names now (the fleet may change between rounds). */
  nodes: () => readonly { name: string }[];
  /** The sweep interval now (`health.interval`). */
  intervalMs: () => number;
  /**
   * Check `nodes` (undefined: the whole fleet, this worker is alone) and evaluate their alerts;
   * `wide`: also the group and chain alerts (one member per round). `round` names the round;
   * `members` are the round's members (this one included), whose digests the share reads.
   */
  sweep: (nodes: string[] | undefined, round: number, wide: boolean, members: readonly string[]) => Promise<unknown>;
  logger: HostLogger;
  /** Heartbeat lifetime: a dead worker's share moves at the first round that starts this long after its death. @defaultValue interval / 4, within 1–10 s */
  ttlMs?: number;
  now?: () => number;
}

/** A member that joined less than this before a round starts waits for the next one, so all agree on the list. */
const JOIN_MARGIN_MS = 250;

/**
 * Sharded health sweeps. Rounds start on wall-clock multiples of the interval, on every worker at
 * once. At a round's start each worker reads the same member list (heartbeats alive at that instant,
 * joined before it) and checks only the nodes rendezvous hashing gives it, so every node is checked by
 * exactly one worker per round, and nodes move only when a member joins or dies. A worker that dies
 * stops renewing its heartbeat; the first round that starts after it expired splits its nodes over
 * the rest. The snapshots land in the shared state store, so the fleet view covers all shares; each
 * share judges and moves only its own nodes' alerts, with what it needs of the rest of the fleet
 * (reference heads, chain-wide verdicts) from the other shares' digests, and the first member also
 * moves the chain-wide alerts. No worker re-reads or re-judges the whole fleet each round.
 */
export function startShardedSweeper(opts: ShardedSweeperOptions): { stop(opts?: { leave?: boolean }): Promise<void> } {
  const now = opts.now ?? Date.now;
  const ttl = () => opts.ttlMs ?? Math.min(10_000, Math.max(1_000, Math.floor(opts.intervalMs() / 4)));
  const me: SweepMember = { id: opts.id, joinedAt: now() };
  let stopped = false;
  let running: Promise<void> | undefined;
  let roundTimer: NodeJS.Timeout | undefined;
  let beatTimer: NodeJS.Timeout | undefined;
  let beatFailed = false;

  const beat = async (): Promise<void> => {
    try {
      await opts.members.beat(me, now() + ttl());
      if (beatFailed) opts.logger.info({ id: me.id }, 'sweep heartbeat renewed again');
      beatFailed = false;
    } catch (err) {
      // Redis away (a failover): the others may take this share over meanwhile; it comes back at the next round.
      if (!beatFailed) opts.logger.warn({ err: errorMessage(err) }, 'could not renew the sweep heartbeat; retrying');
      beatFailed = true;
    }
    if (!stopped) beatTimer = setTimeout(() => void beat(), Math.max(200, Math.floor(ttl() / 3)));
  };

  const round = async (at: number) => {
    const members = (await opts.members.live(at, at - JOIN_MARGIN_MS)).map((m) => m.id);
    if (!members.includes(me.id)) return; // just joined (or lost the heartbeat): the next round counts it
    const alone = members.length === 1;
    const share = alone ? undefined : shareOf(opts.nodes(), members, me.id).map((n) => n.name);
    const wide = members[0] === me.id;
    if (share && share.length === 0 && !wide) return;
    const t0 = Date.now();
    await opts.sweep(share, at, wide, members);
    opts.logger.info({ round: at, members: members.length, checked: share?.length ?? opts.nodes().length, wide, ms: Date.now() - t0 }, 'health sweep share done');
  };

  const schedule = () => {
    if (stopped) return;
    const interval = opts.intervalMs();
    const next = (Math.floor(now() / interval) + 1) * interval;
    roundTimer = setTimeout(() => {
      if (running) {
        opts.logger.warn({ round: next, intervalMs: interval }, 'the last sweep share is still running: this round is skipped — raise health.interval or health.concurrency, or add workers');
      } else {
        running = round(next)
          .catch((err: unknown) => opts.logger.warn({ err: errorMessage(err), round: next }, 'health sweep share failed; the next round tries again'))
          .finally(() => (running = undefined));
      }
      schedule();
    }, next - now());
  };

  /** Alone at start-up (a single worker, or the first to come back): sweep at once instead of up to an interval later. */
  const firstSweep = async () => {
    await beat();
    const members = await opts.members.live(now(), Number.MAX_SAFE_INTEGER).catch(() => []);
    if (stopped || running || members.length !== 1 || members[0]?.id !== me.id) return;
    running = opts
      .sweep(undefined, now(), true, [me.id])
      .then(() => undefined)
      .catch((err: unknown) => opts.logger.warn({ err: errorMessage(err) }, 'the first health sweep failed; the next round tries again'))
      .finally(() => (running = undefined));
  };

  void firstSweep();
  schedule();
  return {
    async stop(o = {}) {
      stopped = true;
      clearTimeout(roundTimer);
      clearTimeout(beatTimer);
      await running;
      if (o.leave !== false) await opts.members.leave(me).catch(() => undefined);
    },
  };
}
