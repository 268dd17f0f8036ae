import { z } from 'zod';
import type { RolloutRecord } from '../../src/rollout/rollout.record.ts';

const node = z.object({
  name: z.string(),
  wave: z.number().int(),
  state: z.enum(['pending', 'upgrading', 'gating', 'done', 'failed', 'skipped']),
  from: z.string().optional(),
  to: z.string(),
  detail: z.string().optional(),
  startedAt: z.number().optional(),
  endedAt: z.number().optional(),
  runs: z.number().int(),
});

/** A rollout record as stored in Redis; read back through this schema so a bad value is caught at the edge. */
export const rolloutRecordSchema: z.ZodType<RolloutRecord> = z.object({
  id: z.string(),
  kind: z.enum(['upgrade', 'rollback']),
  rollbackOf: z.string().optional(),
  env: z.string(),
  group: z.string(),
  version: z.string(),
  planHash: z.string(),
  approvalId: z.string().optional(),
  requestedBy: z.string(),
  approvedBy: z.array(z.string()),
  dryRun: z.boolean(),
  status: z.enum(['running', 'waiting-lock', 'paused', 'halted', 'aborted', 'done', 'rolled-back', 'failed']),
  nodes: z.array(node),
  waves: z.array(z.array(z.string())),
  reportKey: z.string(),
  conversation: z.object({ platform: z.enum(['slack', 'discord', 'console', 'telegram']), channelId: z.string(), threadId: z.string().optional() }),
  owner: z.string().optional(),
  resumes: z.number().int(),
  reason: z.string().optional(),
  createdAt: z.number(),
  updatedAt: z.number(),
  endedAt: z.number().optional(),
});

export const controlSchema = z.object({ action: z.enum(['pause', 'resume', 'abort']), by: z.string(), at: z.number() });
