/**
 * The worker processes taking part in health sweeps, each known by a heartbeat that expires. Every
 * worker reads the same list for a round (members alive at the round's start that joined before it),
 * so all of them split the fleet the same way without talking to each other.
 */
export interface SweepMembers {
  /** Announce (or renew) `member` until `expiresAt` (ms since the epoch). */
  beat(member: SweepMember, expiresAt: number): Promise<void>;
  /** Members whose heartbeat lasts past `at` and that joined before `joinedBefore`, sorted by id. */
  live(at: number, joinedBefore: number): Promise<SweepMember[]>;
  /** Leave at once (clean shutdown), so the others take the share over at their next round. */
  leave(member: SweepMember): Promise<void>;
}

/** One sweeping worker: a unique id and when it joined. */
export interface SweepMember {
  id: string;
  joinedAt: number;
}
