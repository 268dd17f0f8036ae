import type { ControlAction, ControlRequest, RolloutRecord } from '../rollout/rollout.record.ts';

/** Durable rollout state: records (checkpoints), control requests from chat, and the full log. */
export interface RolloutStore {
  get(id: string): Promise<RolloutRecord | undefined>;
  /** Write the record unconditionally (the bot closing a halted rollout, marking one rolled back). */
  save(record: RolloutRecord): Promise<void>;
  /**
   * A worker's checkpoint, fenced: written only if no execution with a larger fencing token has
   * written this rollout (one compare-and-set); false when a newer execution owns it. Token 0 writes
   * only while no fenced execution has written (a run still waiting for its lock).
   */
  saveFenced(record: RolloutRecord, token: number): Promise<boolean>;
  /** Most recent rollouts, newest first. */
  list(limit: number): Promise<RolloutRecord[]>;
  /** Ask the running worker to pause, resume or abort at the next node boundary. */
  requestControl(id: string, action: ControlAction, by: string, at: number): Promise<void>;
  /** The latest control request, if any. */
  getControl(id: string): Promise<ControlRequest | undefined>;
  /** Append lines to the rollout's full log (capped; the newest lines are kept). */
  appendLog(id: string, lines: string[]): Promise<void>;
  /** The last `limit` log lines. */
  tailLog(id: string, limit: number): Promise<string[]>;
}
