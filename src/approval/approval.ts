import type { MessageRef } from '../chat/chat-event.ts';
import type { Block } from '../chat/message.ts';
import type { Environment } from '../fleet/fleet.schema.ts';
import type { QueueName } from '../ports/queue.port.ts';

export type ApprovalStatus = 'pending' | 'approved' | 'rejected' | 'expired';

/** A risky change waiting for people other than the requester to approve it. */
export interface ApprovalRequest {
  id: string;
  env: string;
  /** The command as typed, canonicalised (shown to approvers). */
  command: string;
  /** Hash of what will run; an approval is valid only for this exact plan. */
  planHash: string;
  /** The job that starts once approved. */
  job: { queue: QueueName; jobId: string; data: unknown };
  /** `platform:id` of the requester. */
  requestedBy: string;
  required: number;
  selfApproval: boolean;
  approverRole: string;
  approvals: string[];
  rejectedBy?: string;
  /** Set when the requester rejected their own request (withdrew it). */
  withdrawn?: boolean;
  /** The plan as shown to approvers, so a later edit (expiry) can show it again without re-planning. */
  summary?: Block[];
  status: ApprovalStatus;
  createdAt: number;
  expiresAt: number;
  /** Optimistic-concurrency revision: bumped on every save. */
  rev: number;
  message?: MessageRef;
}

/** The environment's approval policy, as the fleet file sets it. */
export type ApprovalPolicy = Environment['approval'];

/**
 * A new pending request under `policy`: the one constructor for every path that asks for approval
 * (a typed change, a Terraform plan waiting to be applied).
 */
export function newApprovalRequest(o: {
  id: string;
  env: string;
  command: string;
  planHash: string;
  job: ApprovalRequest['job'];
  requestedBy: string;
  policy: ApprovalPolicy;
  now: number;
  summary?: Block[];
}): ApprovalRequest {
  return {
    id: o.id,
    env: o.env,
    command: o.command,
    planHash: o.planHash,
    job: o.job,
    requestedBy: o.requestedBy,
    required: o.policy.required,
    selfApproval: o.policy.self_approval,
    approverRole: o.policy.approver_role,
    approvals: [],
    status: 'pending',
    createdAt: o.now,
    expiresAt: o.now + o.policy.expires,
    rev: 0,
    ...(o.summary ? { summary: o.summary } : {}),
  };
}
