import { z } from 'zod';
import { envName, groupName, nodeName, version } from '../fleet/names.ts';

/**
 * Job data contracts shared by producers (the bot) and processors (workers). Every payload carries
 * `v` so a worker of a newer release can refuse or migrate old data; no secrets ever go in here.
 */
const conversation = z.object({
  platform: z.enum(['slack', 'discord', 'console', 'telegram']),
  channelId: z.string().min(1).max(100),
  threadId: z.string().max(100).optional(),
});

/** Where a job reports: the key of the message it owns and the conversation it lives in. */
export const reportTo = z.object({ key: z.string().min(1).max(200), conversation });
export type ReportTo = z.infer<typeof reportTo>;

const actor = z.string().regex(/^(slack|discord|console|telegram|system):[A-Za-z0-9/_*-]{1,80}$/);

export const healthJob = z.object({
  v: z.literal(1),
  /** `host`: gather host facts over SSH (disk, memory, load) on their own slower schedule. */
  kind: z.enum(['sweep', 'check', 'host']),
  nodes: z.array(nodeName).max(100_000).optional(),
  report: reportTo.optional(),
  /** A recheck of nodes whose alerts are still confirming: how many in a row so far. */
  recheck: z.number().int().min(1).max(100).optional(),
});

const waves = z.array(z.array(nodeName).min(1)).min(1);

export const upgradeJob = z.object({
  v: z.literal(1),
  /** `up-…` for an upgrade, `rb-…` for a rollback; a retry job (`rt-…`) continues an existing rollout. */
  rolloutId: z.string().regex(/^(up|rb)-[a-z0-9]{4,32}$/),
  mode: z.enum(['upgrade', 'retry', 'rollback']).default('upgrade'),
  /** For a rollback: the rollout whose nodes it restores. */
  rollbackOf: z.string().regex(/^up-[a-z0-9]{4,32}$/).optional(),
  env: envName,
  group: groupName,
  version,
  targets: z.array(nodeName).min(1),
  waves,
  planHash: z.string().regex(/^[0-9a-f]{64}$/),
  /** The approval that approved `planHash`; the worker re-checks it (unexpired) on every start and resume. */
  approvalId: z.string().regex(/^ap-[a-z0-9]{4,32}$/).optional(),
  requestedBy: actor,
  approvedBy: z.array(actor),
  dryRun: z.boolean().default(false),
  /**
   * For a rollback: each node with the version it ran when the rollback was planned (over RPC) and the
   * version it goes back to, exactly as shown and approved. The worker restores these, never what an
   * older rollout record says.
   */
  restore: z.array(z.object({ name: nodeName, from: version, to: version })).max(1000).optional(),
  report: reportTo,
});

/** A saved Terraform plan an apply job may run: its id (file name), hash, and the approval bound to it. */
const savedPlanRef = z.object({
  id: z.string().regex(/^(pv|dc)-[a-z0-9]{4,40}$/),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  approvalId: z.string().regex(/^ap-[a-z0-9]{4,32}$/).optional(),
});

/**
 * Terraform jobs. `phase: 'plan'` plans and saves the plan; where the environment needs approval it
 * posts the plan with Approve/Reject and stops, otherwise it goes on to apply that saved plan.
 * `phase: 'apply'` (started by the approval) applies only the saved plan `plan`, and only if it still
 * hashes the same as approved. `kind: 'plan'` is `/chainops plan`: read-only, never applies.
 */
export const provisionJob = z.discriminatedUnion('kind', [
  z.object({
    v: z.literal(1),
    kind: z.literal('provision'),
    phase: z.enum(['plan', 'apply']).default('plan'),
    env: envName,
    group: groupName,
    count: z.number().int().min(1).max(1000),
    /** Names of the nodes to create (set by the plan phase for the apply phase). */
    nodes: z.array(nodeName).max(1000).optional(),
    plan: savedPlanRef.optional(),
    requestedBy: actor,
    approvedBy: z.array(actor),
    report: reportTo,
  }),
  z.object({
    v: z.literal(1),
    kind: z.literal('decommission'),
    phase: z.enum(['plan', 'apply']).default('plan'),
    env: envName,
    node: nodeName,
    group: groupName.optional(),
    plan: savedPlanRef.optional(),
    /** Plan the targeted destroy and show it; never ask for approval, never apply. @defaultValue false */
    dryRun: z.boolean().default(false),
    requestedBy: actor,
    approvedBy: z.array(actor),
    report: reportTo,
  }),
  z.object({
    v: z.literal(1),
    kind: z.literal('plan'),
    env: envName.optional(),
    requestedBy: actor,
    report: reportTo,
  }),
]);

/**
 * Drift report: version, capacity (SSH facts vs shape) and count (Terraform plan not empty). With
 * `report`, the report edits that message; without (the daily schedule), it is posted to each
 * environment's channel only when it differs from the last one posted.
 */
export const driftJob = z.object({
  v: z.literal(1),
  env: envName.optional(),
  /** Skip the Terraform plans (count drift). @defaultValue false */
  skipTerraform: z.boolean().default(false),
  report: reportTo.optional(),
});

/**
 * Remediation: run a fleet-file action on one node. Only the action's name travels in the job; its
 * command is read from the fleet file by the worker. `auto` runs honour the rule's per-node cool-down.
 */
export const remediateJob = z.object({
  v: z.literal(1),
  node: nodeName,
  action: nodeName,
  trigger: z.enum(['manual', 'auto']),
  /** The alert whose thread gets the result. */
  alertId: z.string().regex(/^al-[a-z0-9]{4,32}$/).optional(),
  requestedBy: actor,
  /** Where the result goes when there is no alert thread. */
  report: reportTo.optional(),
  /** Check only: SSH reachability for a command, `--check --diff` for a playbook; nothing runs. @defaultValue false */
  dryRun: z.boolean().default(false),
});

export type HealthJob = z.infer<typeof healthJob>;
export type UpgradeJob = z.infer<typeof upgradeJob>;
export type ProvisionJob = z.infer<typeof provisionJob>;
export type DriftJob = z.infer<typeof driftJob>;
export type RemediateJob = z.infer<typeof remediateJob>;
