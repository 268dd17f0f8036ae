import type { MessageRef } from '../chat/chat-event.ts';
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
  status: ApprovalStatus;
  createdAt: number;
  expiresAt: number;
  /** Optimistic-concurrency revision: bumped on every save. */
  rev: number;
  message?: MessageRef;
}
