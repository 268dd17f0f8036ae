import { z } from 'zod';
import { envName, groupName, nodeName, version } from '../fleet/names.ts';

/**
 * Job data contracts shared by producers (the bot) and processors (workers). Every payload carries
 * `v` so a worker of a newer release can refuse or migrate old data; no secrets ever go in here.
 */
const conversation = z.object({
  platform: z.enum(['slack', 'discord', 'console']),
  channelId: z.string().min(1).max(100),
  threadId: z.string().max(100).optional(),
});

/** Where a job reports: the key of the message it owns and the conversation it lives in. */
export const reportTo = z.object({ key: z.string().min(1).max(200), conversation });
export type ReportTo = z.infer<typeof reportTo>;

const actor = z.string().regex(/^(slack|discord|console|system):[A-Za-z0-9/_*-]{1,80}$/);

export const healthJob = z.object({
  v: z.literal(1),
  kind: z.enum(['sweep', 'check']),
  nodes: z.array(nodeName).max(100_000).optional(),
  report: reportTo.optional(),
});

const waves = z.array(z.array(nodeName).min(1)).min(1);

export const upgradeJob = z.object({
  v: z.literal(1),
  rolloutId: z.string().regex(/^up-[a-z0-9]{4,32}$/),
  env: envName,
  group: groupName,
  version,
  targets: z.array(nodeName).min(1),
  waves,
  planHash: z.string().regex(/^[0-9a-f]{64}$/),
  requestedBy: actor,
  approvedBy: z.array(actor),
  dryRun: z.boolean().default(false),
  report: reportTo,
});

export const provisionJob = z.discriminatedUnion('kind', [
  z.object({
    v: z.literal(1),
    kind: z.literal('provision'),
    env: envName,
    group: groupName,
    count: z.number().int().min(1).max(1000),
    requestedBy: actor,
    approvedBy: z.array(actor),
    report: reportTo,
  }),
  z.object({
    v: z.literal(1),
    kind: z.literal('decommission'),
    env: envName,
    node: nodeName,
    requestedBy: actor,
    approvedBy: z.array(actor),
    report: reportTo,
  }),
]);

export const driftJob = z.object({
  v: z.literal(1),
  env: envName.optional(),
  report: reportTo.optional(),
});

export type HealthJob = z.infer<typeof healthJob>;
export type UpgradeJob = z.infer<typeof upgradeJob>;
export type ProvisionJob = z.infer<typeof provisionJob>;
export type DriftJob = z.infer<typeof driftJob>;
