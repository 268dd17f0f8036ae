import { z } from 'zod';
import type { AuditEntry } from '../../src/ports/audit.port.ts';
import type { FreezeInfo, LockInfo } from '../../src/ports/state.port.ts';
import type { ApprovalRequest } from '../../src/approval/approval.ts';
import type { MessageRef } from '../../src/chat/chat-event.ts';
import type { Snapshot } from '../../src/health/snapshot.ts';
import { QUEUE_NAMES } from '../../src/ports/queue.port.ts';
import { ChainopsError } from '../../src/errors.ts';

// Schemas of what the Redis adapters read back. They are loose on purpose: a field written by a newer
// version survives a read-modify-write by an older one instead of being stripped.

const platform = z.enum(['slack', 'discord', 'console', 'telegram']);

export const messageRefSchema = z.looseObject({
  platform,
  channelId: z.string(),
  messageId: z.string(),
  threadId: z.string().optional(),
}) satisfies z.ZodType<MessageRef>;

export const snapshotSchema = z.looseObject({
  node: z.string(),
  group: z.string(),
  env: z.string(),
  chain: z.string(),
  network: z.string(),
  at: z.number(),
  reachable: z.boolean(),
  error: z.string().optional(),
  chainId: z.string().optional(),
  client: z.string().optional(),
  version: z.string().optional(),
  clientVersion: z.string().optional(),
  syncing: z.boolean().optional(),
  syncProgress: z.number().optional(),
  head: z.number().optional(),
  headTime: z.number().optional(),
  peers: z.number().optional(),
  latencyMs: z.number(),
  warnings: z.array(z.string()),
}) satisfies z.ZodType<Snapshot>;

export const approvalSchema = z.looseObject({
  id: z.string(),
  env: z.string(),
  command: z.string(),
  planHash: z.string(),
  job: z.looseObject({ queue: z.enum(QUEUE_NAMES), jobId: z.string(), data: z.unknown() }),
  requestedBy: z.string(),
  required: z.number(),
  selfApproval: z.boolean(),
  approverRole: z.string(),
  approvals: z.array(z.string()),
  rejectedBy: z.string().optional(),
  status: z.enum(['pending', 'approved', 'rejected', 'expired']),
  createdAt: z.number(),
  expiresAt: z.number(),
  rev: z.number().int(),
  message: messageRefSchema.optional(),
}) satisfies z.ZodType<ApprovalRequest>;

export const lockSchema = z.looseObject({
  key: z.string(),
  holder: z.string(),
  purpose: z.string(),
  acquiredAt: z.number(),
  expiresAt: z.number(),
  token: z.number().optional(),
}) satisfies z.ZodType<LockInfo>;

export const freezeSchema = z.looseObject({
  env: z.string(),
  by: z.string(),
  reason: z.string(),
  at: z.number(),
}) satisfies z.ZodType<FreezeInfo>;

export const auditEntrySchema = z.looseObject({
  at: z.number(),
  actor: z.string(),
  action: z.string(),
  detail: z.string(),
  outcome: z.enum(['ok', 'refused', 'failed', 'pending']).optional(),
  ref: z.string().optional(),
}) satisfies z.ZodType<AuditEntry>;

/** Parse a JSON value read from Redis; a corrupt record is an internal error naming the key. */
export function parseStored<T>(schema: z.ZodType<T>, raw: string, key: string): T {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (err) {
    throw new ChainopsError('internal', `stored record ${key} is not JSON — delete or repair it`, { cause: err });
  }
  const res = schema.safeParse(json);
  if (!res.success) {
    throw new ChainopsError('internal', `stored record ${key} has an unexpected shape: ${z.prettifyError(res.error)}`);
  }
  return res.data;
}
