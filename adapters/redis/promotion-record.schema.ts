import { z } from 'zod';
import type { PromotionControl, PromotionRecord } from '../../src/promotion/promotion.record.ts';

const stage = z.object({
  env: z.string(),
  state: z.enum(['pending', 'waiting-resume', 'delaying', 'waiting-window', 'blocked', 'awaiting-approval', 'rolling', 'soaking', 'done', 'failed', 'rolling-back', 'rolled-back', 'aborted']),
  delayUntil: z.number().optional(),
  released: z.boolean().optional(),
  approvalId: z.string().optional(),
  rolloutId: z.string().optional(),
  soakUntil: z.number().optional(),
  rollbackId: z.string().optional(),
  rollbackApprovalId: z.string().optional(),
  detail: z.string().optional(),
  startedAt: z.number().optional(),
  endedAt: z.number().optional(),
});

/** A promotion record as stored in Redis, read back through this schema (a bad value is caught at the edge). */
export const promotionRecordSchema: z.ZodType<PromotionRecord> = z.object({
  id: z.string(),
  group: z.string(),
  version: z.string(),
  status: z.enum(['running', 'paused', 'done', 'failed', 'rolled-back', 'aborted']),
  stage: z.number().int().nonnegative(),
  stages: z.array(stage).min(1),
  startedBy: z.string(),
  starterRole: z.enum(['viewer', 'operator', 'approver', 'admin']),
  via: z.enum(['manual', 'on_release']),
  reportKey: z.string(),
  conversation: z.object({ platform: z.enum(['slack', 'discord', 'console', 'telegram']), channelId: z.string(), threadId: z.string().optional() }),
  tick: z.number().int().nonnegative(),
  controlSeen: z.number().optional(),
  owner: z.string().optional(),
  reason: z.string().optional(),
  history: z.array(z.object({ at: z.number(), text: z.string() })),
  createdAt: z.number(),
  updatedAt: z.number(),
  endedAt: z.number().optional(),
});

export const promotionControlSchema: z.ZodType<PromotionControl> = z.object({ action: z.enum(['pause', 'resume', 'abort']), by: z.string(), at: z.number() });
