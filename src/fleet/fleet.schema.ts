import { z } from 'zod';
import { envName, groupName, nodeName, version } from './names.ts';
import { alertSettingsShape, checkAlertSettings } from '../alerts/alert-settings.schema.ts';
import { channelRestriction, identity } from './access.schema.ts';
import { chainTruthSchema, forkSchema } from '../health/chain-truth.schema.ts';
import { pageTarget } from '../paging/page-target.schema.ts';
import { releaseSourceSchema } from '../releases/release-source.schema.ts';
import { promotionSchema } from '../promotion/promotion.schema.ts';
import { changeWindowsSchema } from '../promotion/change-window.schema.ts';

/** A Telegram chat id (groups are negative), optionally `:<topic id>` for a forum topic. */
const telegramChat = z.string().regex(/^-?\d{1,20}(:\d{1,12})?$/, 'use a Telegram chat id such as -1001234567890 (or -1001234567890:42 for a forum topic)');

/** Durations such as `30s`, `5m`, `2h`, `1d`; stored as milliseconds. */
export const duration = z
  .union([
    z.number().int().nonnegative(),
    z.string().regex(/^\d+(ms|s|m|h|d)$/, 'use a duration such as 30s, 5m, 2h or 1d'),
  ])
  .transform((v) => (typeof v === 'number' ? v * 1000 : parseDuration(v)));

export function parseDuration(text: string): number {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(text);
  if (!m) throw new Error(`not a duration: ${text}`);
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms'];
  return Number(m[1]) * unit;
}

export const ROLES = ['viewer', 'operator', 'approver', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const RPC_KINDS = ['eth', 'bitcoin', 'beacon', 'solana', 'cometbft'] as const;

const shape = z
  .object({
    cpu: z.number().int().positive().describe('vCPU count'),
    ram_gib: z.number().positive().describe('memory in GiB'),
    disk_gib: z.number().positive().describe('data disk in GiB'),
    bandwidth_mbps: z.number().positive().optional().describe('NIC or plan bandwidth in Mbit/s'),
  })
  .strict();

/** KPI thresholds; every field has a default so an environment may set only what differs. */
const thresholds = z
  .object({
    max_lag_blocks: z.number().int().nonnegative().default(5).describe('blocks behind the reference head; default 5'),
    max_head_age: duration.default(180_000).describe('age of the newest block before it counts as stalled; default 180s'),
    min_peers: z.number().int().nonnegative().default(3).describe('fewest peers before alerting; default 3'),
    max_disk_used_pct: z.number().min(1).max(100).default(85).describe('disk use alert level; default 85'),
  })
  .strict();

const approval = z
  .object({
    required: z.number().int().min(0).max(10).default(0).describe('approvals needed for risky changes; default 0'),
    approver_role: z.enum(ROLES).default('approver').describe('least role that may approve; default approver'),
    self_approval: z.boolean().default(false).describe('may the requester approve their own change; default false'),
    expires: duration.default(1_800_000).describe('how long a request stays open; default 30m'),
    rollback: z.enum(['same', 'waive']).default('same').describe('a rollback needs the same approval as an upgrade (same), or none (waive); default same'),
  })
  .strict();

const environment = z
  .object({
    description: z.string().max(200).optional(),
    thresholds: thresholds.default(thresholds.parse({})),
    approval: approval.default(approval.parse({})),
    /** Commands that may only be typed in certain channels, e.g. prod changes only from #ops-prod. */
    restrict: z.array(channelRestriction).default([]).describe('commands allowed only from the listed channels in this environment'),
    /** Channel ids per platform where this environment's jobs and alerts go. */
    channels: z
      .object({ slack: z.string().optional(), discord: z.string().optional(), console: z.string().optional(), telegram: telegramChat.optional() })
      .strict()
      .default({}),
    change_windows: changeWindowsSchema,
  })
  .strict();

const rpcAuth = z.union([
  z
    .object({
      username: z.string().min(1),
      password_env: z
        .string()
        .regex(/^[A-Z_][A-Z0-9_]*$/, 'name an environment variable such as CHAINOPS_SECRET_LTC_RPC_PASSWORD')
        .describe('environment variable that holds the RPC password'),
    })
    .strict(),
  z.object({ cookie_file: z.string().min(1).describe('Bitcoin Core .cookie file path') }).strict(),
]);

const group = z
  .object({
    chain: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'use a chain name such as ethereum, bitcoin, litecoin'),
    network: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'use a network name such as mainnet, sepolia, regtest'),
    client: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'use a client name such as geth, lighthouse, bitcoind'),
    desired_version: version.describe('version every node of the group should run'),
    rpc: z.object({ kind: z.enum(RPC_KINDS) }).strict(),
    shape: shape.optional(),
    playbook: z.string().min(1).optional().describe('Ansible playbook that installs the client'),
    terraform: z
      .object({
        module: z.string().min(1),
        workspace: z.string().regex(/^[a-z0-9-]{1,64}$/).optional(),
        /** Variables Terraform gets for this group (e.g. cloud credentials): its name → the worker's variable holding the value. */
        env: z
          .record(z.string().regex(/^[A-Z_][A-Z0-9_]{0,127}$/, 'use a variable name such as AWS_ACCESS_KEY_ID'), z.string().regex(/^[A-Z_][A-Z0-9_]{0,127}$/, 'name a worker variable such as CHAINOPS_SECRET_AWS_KEY'))
          .optional()
          .describe('variables passed to terraform for this group: name → worker variable holding the value (CHAINOPS_SECRET_… or allowlisted)'),
      })
      .strict()
      .optional(),
    /** Nodes that back each other up; at most `max_unavailable` of one redundancy group go down at once. */
    redundancy_group: z.string().optional(),
    releases: releaseSourceSchema.optional().describe('where the client publishes releases (github, npm or a static list) and which to announce; see docs/releases.md'),
    promotion: promotionSchema.optional().describe('promote new versions through environments in stages (docs/promotion.md)'),
  })
  .strict();

const node = z
  .object({
    name: nodeName,
    group: groupName,
    env: envName,
    rpc_url: z
      .string()
      .url('use a full URL such as http://10.0.0.5:8545')
      .refine((u) => !/\/\/[^/]*:[^/]*@/.test(u), 'put RPC credentials in rpc_auth, never in the URL'),
    rpc_auth: rpcAuth.optional(),
    ssh: z
      .object({
        host: z.string().regex(/^[A-Za-z0-9.:-]{1,253}$/, 'use a host name or IP address'),
        port: z.number().int().min(1).max(65535).default(22),
        user: z.string().regex(/^[a-z_][a-z0-9_-]{0,31}$/, 'use a Unix user name'),
        /** The host's public key (`ssh-ed25519 AAAA…`); SSH and Ansible refuse any other key. */
        host_key: z
          .string()
          .regex(/^(ssh-ed25519|ecdsa-sha2-nistp(256|384|521)|ssh-rsa) [A-Za-z0-9+/=]{40,1000}$/, 'paste the host public key line, e.g. from `ssh-keyscan -t ed25519 <host>` (type and base64, no host name)')
          .optional(),
      })
      .strict()
      .optional(),
    /** Extra Ansible host variables (written into the generated inventory file, never into a command line). */
    ansible_vars: z
      .record(
        z.string().regex(/^[a-z_][a-z0-9_]{0,63}$/, 'use a variable name such as node_data_dir'),
        z.union([z.string().max(500), z.number(), z.boolean()]),
      )
      .optional(),
  })
  .strict();

/** One node entry; also validates nodes read from Terraform outputs before they join the inventory. */
export const fleetNodeSchema = node;

/** Where and how Terraform (or OpenTofu) runs for groups that have `terraform.module`. */
export const terraformSettings = z
  .object({
    binary: z
      .string()
      .regex(/^(?:(?:\/[A-Za-z0-9._-]+)+\/)?(?:terraform|tofu)$/, 'use terraform or tofu, or an absolute path ending in /terraform or /tofu')
      .default('terraform')
      .describe('terraform or tofu (or an absolute path to either); default terraform'),
    dir: z.string().min(1).max(500).default('.').describe('root of the working dirs, relative to the fleet file; groups.*.terraform.module is relative to it; default .'),
    workspace: z
      .string()
      .regex(/^(?:[a-z0-9-]|\{env\}|\{group\}){1,64}$/, 'use a workspace name template such as {env}-{group} or {env}')
      .default('{env}-{group}')
      .describe('workspace per environment and group; {env} and {group} are filled in; default {env}-{group}'),
    plan_dir: z.string().min(1).max(500).optional().describe('saved plans and full logs (relative to the fleet file); shared by all provision workers; default <dir>/.chainops'),
    timeout: duration.default(1_800_000).describe('give up on one terraform command after; default 30m'),
  })
  .strict();

const rollout = z
  .object({
    waves: z
      .array(z.union([z.number().int().positive(), z.string().regex(/^\d{1,3}%$/, 'use a count or a percentage such as 25%')]))
      .min(1)
      .default([1, '25%', '100%'])
      .describe('wave sizes; default canary 1, then 25%, then the rest'),
    max_unavailable: z.number().int().positive().default(1).describe('per redundancy group; default 1'),
    soak: duration.default(0).describe('wait after a healthy node before the next; default 0'),
    health_gate: z
      .object({
        consecutive: z.number().int().positive().default(3).describe('healthy checks in a row; default 3'),
        timeout: duration.default(600_000).describe('give up on a node after; default 10m'),
        interval: duration.default(5_000).describe('between checks; default 5s'),
      })
      .strict()
      .default({ consecutive: 3, timeout: 600_000, interval: 5_000 }),
  })
  .strict();

const roleMembers = z
  .object({
    slack: z
      .array(z.string().regex(/^[TE][A-Z0-9]+\/[UW][A-Z0-9]+$/, 'use TEAM_ID/USER_ID such as T0123/U0456'))
      .default([]),
    discord_users: z.array(z.string().regex(/^\d{5,25}$/, 'use a Discord user id (digits)')).default([]),
    discord_roles: z.array(z.string().regex(/^\d{5,25}$/, 'use a Discord role id (digits)')).default([]),
    console: z.array(z.string().regex(/^(\*|[a-z][a-z0-9_-]{0,31})$/, 'use a console user name, or * for everyone')).default([]),
    telegram: z.array(z.string().regex(/^\d{1,20}$/, 'use a Telegram user id (digits, as in telegram:12345)')).default([]),
  })
  .strict();

/** A role granted only in some environments and groups (`operator` in dev and staging). */
const scopedGrant = roleMembers
  .extend({
    role: z.enum(ROLES),
    envs: z.array(envName).min(1).optional().describe('environments the grant holds in; default all'),
    groups: z.array(groupName).min(1).optional().describe('groups the grant holds in; default all'),
  })
  .strict();

const alertRoute = z
  .object({
    env: envName.optional(),
    chain: z.string().optional(),
    slack: z.string().optional(),
    discord: z.string().optional(),
    console: z.string().optional(),
    telegram: telegramChat.optional(),
    page: pageTarget.optional().describe('escalate alerts of this route to a pager (PagerDuty or a signed webhook)'),
  })
  .strict();

export const fleetSchema = z
  .object({
    version: z.literal(1).describe('fleet file format version; must be 1'),
    name: z.string().min(1).max(64),
    environments: z.record(envName, environment).refine((e) => Object.keys(e).length > 0, 'define at least one environment'),
    groups: z.record(groupName, group),
    nodes: z.array(node).default([]),
    rollout: rollout.default(rollout.parse({})),
    roles: z
      .object({
        viewer: roleMembers.optional(),
        operator: roleMembers.optional(),
        approver: roleMembers.optional(),
        admin: roleMembers.optional(),
      })
      .strict()
      .default({}),
    health: z
      .object({
        interval: duration.default(30_000).describe('sweep interval; default 30s'),
        timeout: duration.default(5_000).describe('per-node RPC timeout; default 5s'),
        concurrency: z.number().int().positive().max(10_000).default(256).describe('parallel checks; default 256'),
        host_interval: duration.optional().describe('how often host facts (disk, memory, load) are gathered over SSH; default 5m'),
        recheck: duration
          .default(1_000)
          .describe('a node with an alert still confirming is checked again this soon instead of at the next sweep, so it fires about one interval after the fault; 0s turns it off; default 1s'),
      })
      .strict()
      .default({ interval: 30_000, timeout: 5_000, concurrency: 256, recheck: 1_000 }),
    /** Grants scoped to environments and groups, on top of the global `roles:`. */
    grants: z.array(scopedGrant).default([]).describe('roles that hold only in some environments or groups'),
    /** Linked identities: one person's Slack, Discord and console ids. */
    identities: z.array(identity).default([]).describe("one person's ids across platforms (approvals count per person)"),
    console: z
      .object({ allow_impersonation: z.boolean().default(false).describe('may the console act as another user with --as and /as; default false (only for demos)') })
      .strict()
      .default({ allow_impersonation: false }),
    alerts: z.object({ routes: z.array(alertRoute).default([]), ...alertSettingsShape }).strict().default({ routes: [] }),
    terraform: terraformSettings.optional().describe('Terraform/OpenTofu settings for provisioning; defaults apply when left out'),
    forks: z.array(forkSchema).default([]).describe('scheduled hard forks: activation and minimum client versions (see docs/chain-truth.md)'),
    chain_truth: chainTruthSchema.default(chainTruthSchema.parse({})).describe('chain-split and client-diversity settings'),
  })
  .strict()
  .superRefine((fleet, ctx) => {
    checkAlertSettings(fleet, ctx);
    const seen = new Set<string>();
    fleet.nodes.forEach((n, i) => {
      if (seen.has(n.name)) {
        ctx.addIssue({ code: 'custom', path: ['nodes', i, 'name'], message: `node name "${n.name}" is used twice; give each node its own name` });
      }
      seen.add(n.name);
      if (!fleet.groups[n.group]) {
        ctx.addIssue({
          code: 'custom',
          path: ['nodes', i, 'group'],
          message: `group "${n.group}" is not defined; add it under groups: or use one of ${Object.keys(fleet.groups).join(', ') || '(none)'}`,
        });
      }
      if (!fleet.environments[n.env]) {
        ctx.addIssue({
          code: 'custom',
          path: ['nodes', i, 'env'],
          message: `environment "${n.env}" is not defined; add it under environments: or use one of ${Object.keys(fleet.environments).join(', ')}`,
        });
      }
    });
  });

export type Fleet = z.infer<typeof fleetSchema>;
export type FleetInput = z.input<typeof fleetSchema>;
export type NodeGroup = Fleet['groups'][string];
export type FleetNode = Fleet['nodes'][number];
export type Environment = Fleet['environments'][string];
export type Thresholds = Environment['thresholds'];
