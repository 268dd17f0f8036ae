import type { Role } from '../fleet/fleet.schema.ts';

/** Kinds of argument values; each has a tight pattern (see src/fleet/names.ts). */
export type ValueKind =
  | 'node'
  | 'group'
  | 'target' // a group name or a node name
  | 'env'
  | 'version'
  | 'id'
  | 'count'
  | 'duration'
  | 'waves'
  | 'text'
  | 'choice'
  | 'bool';

export interface ArgSpec {
  name: string;
  kind: ValueKind;
  required: boolean;
  help: string;
  choices?: readonly string[];
}

export interface FlagSpec {
  name: string;
  kind: ValueKind;
  help: string;
  choices?: readonly string[];
}

export interface VerbSpec {
  verb: Verb;
  summary: string;
  /** Least role that may run it. */
  minRole: Role;
  args: readonly ArgSpec[];
  flags: readonly FlagSpec[];
  /** Subverbs that need a higher role than `minRole` (e.g. `rollout abort`). */
  subRoles?: Readonly<Record<string, Role>>;
}

export const VERBS = [
  'help', 'status', 'nodes', 'health', 'upgrade', 'provision', 'decommission', 'drift', 'rollout',
  'approve', 'reject', 'lock', 'unlock', 'freeze', 'unfreeze', 'jobs', 'job', 'cancel', 'audit',
  'alerts', 'ack', 'silence', 'plan', 'sync', 'run', 'chart', 'releases',
  'promotion',
] as const;
export type Verb = (typeof VERBS)[number];

const env: FlagSpec = { name: 'env', kind: 'env', help: 'environment (dev, staging, prod…)' };
const reason: FlagSpec = { name: 'reason', kind: 'text', help: 'why (recorded in the audit log)' };
const ROLLOUT_ACTIONS = ['status', 'pause', 'resume', 'abort', 'rollback', 'retry'] as const;
const PROMOTION_ACTIONS = ['status', 'start', 'pause', 'resume', 'abort'] as const;

/** The one grammar every adapter uses (Discord's application commands are generated from it). */
export const GRAMMAR: readonly VerbSpec[] = [
  { verb: 'help', summary: 'what you can run here', minRole: 'viewer', args: [{ name: 'verb', kind: 'text', required: false, help: 'a command to explain' }], flags: [] },
  {
    verb: 'status', summary: 'fleet status per group: healthy/degraded/down, versions, max lag; `forks`: hard-fork countdown and readiness', minRole: 'viewer',
    args: [{ name: 'view', kind: 'choice', required: false, help: 'forks (also typed as `/chainops forks`)', choices: ['forks'] }],
    flags: [env],
  },
  { verb: 'nodes', summary: 'every node with its version, head, lag and peers', minRole: 'viewer', args: [{ name: 'group', kind: 'group', required: false, help: 'only this group' }], flags: [env] },
  { verb: 'health', summary: 'check nodes now over RPC and show what they answer', minRole: 'viewer', args: [{ name: 'target', kind: 'target', required: false, help: 'a group or node (default: all)' }], flags: [env] },
  {
    verb: 'upgrade', summary: 'rolling upgrade of a group or node to a version', minRole: 'operator',
    args: [
      { name: 'target', kind: 'target', required: true, help: 'group or node to upgrade' },
      { name: 'version', kind: 'version', required: true, help: 'client version, e.g. 1.14.3' },
    ],
    flags: [env, { name: 'waves', kind: 'waves', help: 'wave sizes, e.g. 1,25%,100%' }, { name: 'dry-run', kind: 'bool', help: 'show what would change, change nothing' }],
  },
  {
    verb: 'provision', summary: 'add nodes to a group with Terraform, then bootstrap them', minRole: 'operator',
    args: [{ name: 'group', kind: 'group', required: true, help: 'group to grow' }],
    flags: [env, { name: 'count', kind: 'count', help: 'how many nodes (default 1)' }],
  },
  { verb: 'decommission', summary: 'destroy one node and drop it from the inventory', minRole: 'operator', args: [{ name: 'node', kind: 'node', required: true, help: 'node to remove' }], flags: [{ name: 'dry-run', kind: 'bool', help: 'show the Terraform plan, destroy nothing' }] },
  { verb: 'drift', summary: 'nodes whose version or capacity differs from the fleet file', minRole: 'viewer', args: [], flags: [env] },
  {
    verb: 'rollout', summary: 'show or control a rollout', minRole: 'viewer',
    args: [
      { name: 'action', kind: 'choice', required: true, help: ROLLOUT_ACTIONS.join('|'), choices: ROLLOUT_ACTIONS },
      { name: 'id', kind: 'id', required: false, help: 'rollout id (default: the latest; rollback needs it)' },
    ],
    flags: [],
    subRoles: { pause: 'operator', resume: 'operator', abort: 'operator', rollback: 'operator', retry: 'operator' },
  },
  { verb: 'approve', summary: 'approve a pending change', minRole: 'approver', args: [{ name: 'id', kind: 'id', required: true, help: 'approval id' }], flags: [] },
  { verb: 'reject', summary: 'reject a pending change', minRole: 'approver', args: [{ name: 'id', kind: 'id', required: true, help: 'approval id' }], flags: [reason] },
  {
    verb: 'lock', summary: 'hold the change lock of an environment and group', minRole: 'operator',
    args: [{ name: 'env', kind: 'env', required: true, help: 'environment' }, { name: 'group', kind: 'group', required: true, help: 'group' }],
    flags: [reason, { name: 'for', kind: 'duration', help: 'how long (default 1h)' }],
  },
  { verb: 'unlock', summary: 'release a change lock', minRole: 'operator', args: [{ name: 'env', kind: 'env', required: true, help: 'environment' }, { name: 'group', kind: 'group', required: true, help: 'group' }], flags: [] },
  { verb: 'freeze', summary: 'refuse every change in an environment until unfreeze', minRole: 'admin', args: [{ name: 'env', kind: 'env', required: true, help: 'environment' }], flags: [reason] },
  { verb: 'unfreeze', summary: 'allow changes in an environment again', minRole: 'admin', args: [{ name: 'env', kind: 'env', required: true, help: 'environment' }], flags: [] },
  { verb: 'jobs', summary: 'recent changes (rollouts, provisioning, remediation, runs) and their state', minRole: 'viewer', args: [], flags: [{ name: 'limit', kind: 'count', help: 'how many (default 10)' }, { name: 'all', kind: 'bool', help: 'also health sweeps and scheduled checks' }] },
  {
    verb: 'job', summary: 'one job: state, progress, result (or its log)', minRole: 'viewer',
    args: [{ name: 'id', kind: 'id', required: true, help: 'job id' }, { name: 'log', kind: 'choice', required: false, help: 'log', choices: ['log'] }],
    flags: [],
  },
  { verb: 'cancel', summary: 'cancel a job that has not started', minRole: 'operator', args: [{ name: 'id', kind: 'id', required: true, help: 'job id' }], flags: [] },
  { verb: 'audit', summary: 'latest audit log entries', minRole: 'viewer', args: [], flags: [{ name: 'limit', kind: 'count', help: 'how many (default 20)' }] },
  { verb: 'alerts', summary: 'firing and acknowledged alerts', minRole: 'viewer', args: [], flags: [env] },
  { verb: 'ack', summary: 'acknowledge an alert', minRole: 'operator', args: [{ name: 'id', kind: 'id', required: true, help: 'alert id' }], flags: [] },
  {
    verb: 'silence', summary: 'mute the alerts of an alert, node, group or rule for a while', minRole: 'operator',
    args: [{ name: 'target', kind: 'target', required: true, help: 'alert id, node, group or alert rule' }, { name: 'duration', kind: 'duration', required: true, help: 'e.g. 30m, 2h' }],
    flags: [reason, { name: 'kind', kind: 'choice', help: 'what the target names, when a name is several things', choices: ['alert', 'node', 'group', 'rule'] }],
  },
  {
    verb: 'plan', summary: 'Terraform plan of an environment: infrastructure drift, changes nothing', minRole: 'operator',
    args: [{ name: 'env', kind: 'env', required: false, help: 'environment (default: all)' }],
    flags: [],
  },
  {
    verb: 'sync', summary: 'pull the fleet file from git, show what changes; apply puts it in force', minRole: 'operator',
    args: [
      { name: 'action', kind: 'choice', required: false, help: 'preview|apply', choices: ['preview', 'apply'] },
      { name: 'rev', kind: 'text', required: false, help: 'revision shown by the preview (for apply)' },
    ],
    flags: [],
    subRoles: { apply: 'admin' },
  },
  {
    verb: 'run', summary: 'run a fleet-file action on a node over SSH: restart, diagnose, …', minRole: 'operator',
    args: [
      { name: 'action', kind: 'text', required: true, help: 'an action from alerts.actions, or diagnose' },
      { name: 'node', kind: 'node', required: true, help: 'node to run it on' },
    ],
    flags: [{ name: 'alert', kind: 'id', help: 'alert whose thread gets the result' }, { name: 'dry-run', kind: 'bool', help: 'check only: SSH reachability, or the playbook with --check --diff; changes nothing' }],
  },
  {
    verb: 'chart', summary: 'a KPI of a node or group over time, as a chart', minRole: 'viewer',
    args: [
      { name: 'target', kind: 'target', required: true, help: 'node or group' },
      { name: 'kpi', kind: 'choice', required: false, help: 'head|lag|head_age|peers|latency (default lag)', choices: ['head', 'lag', 'head_age', 'peers', 'latency'] },
    ],
    flags: [{ name: 'since', kind: 'duration', help: 'how far back, up to 24h (default 6h)' }],
  },
  {
    // `releases <group>` is read as `releases list <group>` (src/command/parse.ts).
    verb: 'releases', summary: 'known releases per group, newest first; `ignore <group> <version>` stops offering one', minRole: 'viewer',
    args: [
      { name: 'action', kind: 'choice', required: false, help: 'list|ignore (default list)', choices: ['list', 'ignore'] },
      { name: 'group', kind: 'group', required: false, help: 'only this group (ignore: the group)' },
      { name: 'version', kind: 'version', required: false, help: 'the version to ignore' },
    ],
    flags: [],
    subRoles: { ignore: 'operator' },
  },
  {
    verb: 'promotion', summary: "promote a version through a group's environments (dev → staging → prod), or show and steer one", minRole: 'viewer',
    args: [
      { name: 'action', kind: 'choice', required: true, help: PROMOTION_ACTIONS.join('|'), choices: PROMOTION_ACTIONS },
      { name: 'group', kind: 'group', required: false, help: 'the group (status: default all)' },
      { name: 'version', kind: 'version', required: false, help: 'version to promote (start)' },
    ],
    flags: [],
    // Abort is an operator's, like `rollout abort`: stopping is the safe direction and must not wait for an approver.
    subRoles: { start: 'operator', pause: 'operator', resume: 'operator', abort: 'operator' },
  },
];

/** Look up a verb's spec. */
export function specOf(verb: Verb): VerbSpec {
  const spec = GRAMMAR.find((s) => s.verb === verb);
  if (!spec) throw new Error(`no grammar for ${verb}`);
  return spec;
}

/** The usage line, e.g. `/chainops upgrade <target> <version> [--env <env>] [--waves <waves>] [--dry-run]`. */
export function usageOf(spec: VerbSpec): string {
  const args = spec.args.map((a) => {
    const name = a.choices ? a.choices.join('|') : a.name;
    return a.required ? `<${name}>` : `[${name}]`;
  });
  const flags = spec.flags.map((f) => (f.kind === 'bool' ? `[--${f.name}]` : `[--${f.name} <${f.name}>]`));
  return ['/chainops', spec.verb, ...args, ...flags].join(' ');
}
