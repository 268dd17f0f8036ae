import type { FleetDigest } from '../health/fleet-digest.ts';

/**
 * Each sweeping worker's digest of its share (`digestOf`), so a worker judging its own nodes reads
 * the others' few kilobytes instead of every node's snapshot.
 */
export interface SweepDigests {
  /** Store `member`'s digest; it expires after `ttlMs` (a dead worker's digest goes with it). */
  put(member: string, digest: FleetDigest, ttlMs: number): Promise<void>;
  /** The stored digests of these members (a member without one is left out). */
  get(members: readonly string[]): Promise<Map<string, FleetDigest>>;
}
