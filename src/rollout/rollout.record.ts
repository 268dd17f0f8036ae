/**
 * The durable state of one rollout, checkpointed after every node so a worker that dies can be
 * replaced by another that continues without repeating a finished node.
 */
export type RolloutStatus =
  | 'running'
  | 'waiting-lock'
  | 'paused'
  | 'halted'
  | 'aborted'
  | 'done'
  | 'rolled-back'
  | 'failed';

export type NodeState = 'pending' | 'upgrading' | 'gating' | 'done' | 'failed' | 'skipped';

export interface RolloutNode {
  name: string;
  /** 0-based wave index. */
  wave: number;
  state: NodeState;
  /** Version the node ran before this rollout touched it (what a rollback restores). */
  from?: string;
  /** Version this rollout installs on it. */
  to: string;
  detail?: string;
  startedAt?: number;
  endedAt?: number;
  /** Times the playbook ran on this node in this rollout (re-runs after a crash or a retry). */
  runs: number;
}

export interface RolloutRecord {
  id: string;
  kind: 'upgrade' | 'rollback';
  /** For a rollback: the rollout it undoes. */
  rollbackOf?: string;
  env: string;
  group: string;
  version: string;
  planHash: string;
  /** The approval the plan hash was approved under (none where the environment needs no approval). */
  approvalId?: string;
  requestedBy: string;
  approvedBy: string[];
  dryRun: boolean;
  status: RolloutStatus;
  nodes: RolloutNode[];
  waves: string[][];
  /** Key of the message this rollout owns, and the conversation it lives in. */
  reportKey: string;
  conversation: { platform: 'slack' | 'discord' | 'console' | 'telegram'; channelId: string; threadId?: string };
  /** Worker process that runs it now (for status and crash diagnosis). */
  owner?: string;
  /** Number of worker takeovers (resumes from a checkpoint). */
  resumes: number;
  reason?: string;
  createdAt: number;
  updatedAt: number;
  endedAt?: number;
}

export type ControlAction = 'pause' | 'resume' | 'abort';

export interface ControlRequest {
  action: ControlAction;
  by: string;
  at: number;
}

export const TERMINAL: ReadonlySet<RolloutStatus> = new Set(['done', 'aborted', 'rolled-back', 'failed', 'halted']);

/** Nodes a rollback must restore: every node this rollout acted on, newest first. */
export function touchedNodes(rec: RolloutRecord): RolloutNode[] {
  return rec.nodes.filter((n) => n.runs > 0 && n.from !== undefined && n.from !== n.to).reverse();
}

/** Split a wave's remaining nodes into batches of at most `maxUnavailable` (nodes down at once). */
export function batchesOf(nodes: readonly RolloutNode[], maxUnavailable: number): RolloutNode[][] {
  const size = Math.max(1, maxUnavailable);
  const out: RolloutNode[][] = [];
  for (let i = 0; i < nodes.length; i += size) out.push(nodes.slice(i, i + size));
  return out;
}

/** Counts per node state, for progress lines. */
export function progressOf(rec: RolloutRecord): Record<NodeState, number> {
  const counts: Record<NodeState, number> = { pending: 0, upgrading: 0, gating: 0, done: 0, failed: 0, skipped: 0 };
  for (const n of rec.nodes) counts[n.state]++;
  return counts;
}
