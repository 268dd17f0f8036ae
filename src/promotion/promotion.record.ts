import type { Conversation } from '../chat/chat-event.ts';
import type { Role } from '../fleet/fleet.schema.ts';

/**
 * One stage's place in its life: pending → delaying → (waiting-window | waiting-resume | blocked)
 * → awaiting-approval → rolling → soaking → done; or failed → rolling-back → rolled-back; or aborted.
 */
export type StageState =
  | 'pending'
  | 'waiting-resume'
  | 'delaying'
  | 'waiting-window'
  | 'blocked'
  | 'awaiting-approval'
  | 'rolling'
  | 'soaking'
  | 'done'
  | 'failed'
  | 'rolling-back'
  | 'rolled-back'
  | 'aborted';

export interface StageRecord {
  env: string;
  state: StageState;
  /** When the stage's delay ends (picked once, when the stage began). */
  delayUntil?: number;
  /** `promotion resume` released a stage with `auto: false`. */
  released?: boolean;
  /** The approval the stage's rollout waits for (environments whose policy needs approvers). */
  approvalId?: string;
  /** The stage's rollout (an ordinary `upgrade` job/rollout id). */
  rolloutId?: string;
  soakUntil?: number;
  /** Rollback of the stage's rollout after a failure, and its approval where the policy needs one. */
  rollbackId?: string;
  rollbackApprovalId?: string;
  /** Why it waits, failed or was skipped, in words. */
  detail?: string;
  startedAt?: number;
  endedAt?: number;
}

export type PromotionStatus = 'running' | 'paused' | 'done' | 'failed' | 'rolled-back' | 'aborted';
export const PROMOTION_TERMINAL: ReadonlySet<PromotionStatus> = new Set(['done', 'failed', 'rolled-back', 'aborted']);

/** The durable state of one promotion, checkpointed (fenced) after every tick. */
export interface PromotionRecord {
  id: string;
  group: string;
  version: string;
  status: PromotionStatus;
  /** Index of the current stage. */
  stage: number;
  stages: StageRecord[];
  /** `platform:id` of whoever started it (the requester of every stage's approval), or `chainops:release-watch`. */
  startedBy: string;
  /** Their role when they started it (what the approval card tells them about approving themselves). */
  starterRole: Role;
  via: 'manual' | 'on_release';
  /** The promotion's own message (`promotion:<id>`) and where it lives; stages report in its thread. */
  reportKey: string;
  conversation: Conversation;
  /** Ticks done; the next tick job is `pt-<id>-<tick>`. */
  tick: number;
  /** `at` of the last control request (pause, resume, abort) this promotion has acted on. */
  controlSeen?: number;
  /** Worker that ran the last tick. */
  owner?: string;
  reason?: string;
  /** Every step, oldest first (capped): the stage history shown in the thread. */
  history: Array<{ at: number; text: string }>;
  createdAt: number;
  updatedAt: number;
  endedAt?: number;
}

export interface PromotionControl {
  action: 'pause' | 'resume' | 'abort';
  by: string;
  at: number;
}

/** How many history lines a record keeps (the newest). */
export const HISTORY_CAP = 60;
