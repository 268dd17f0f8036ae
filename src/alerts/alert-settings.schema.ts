import { z } from 'zod';
import type { Fleet } from '../fleet/fleet.schema.ts';
import { envName, groupName, NAME_RE } from '../fleet/names.ts';
import { ALERT_SEVERITIES } from './alert.types.ts';
import { DEFAULT_RULES } from './default-rules.ts';
import { parseRuleExpr } from './rule-expr.ts';

// The `alerts:` settings of the fleet file beyond `routes`. Spread into the fleet schema; kept here so
// the alert engine owns its configuration. (No import of fleet.schema.ts values: that would be a cycle.)

const DURATION_RE = /^\d{1,7}(ms|s|m|h|d)$/;
const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const durationMs = z
  .union([z.number().int().nonnegative(), z.string().regex(DURATION_RE, 'use a duration such as 30s, 5m, 2h or 1d')])
  .transform((v) => (typeof v === 'number' ? v * 1000 : Number(/^\d+/.exec(v)![0]) * UNIT_MS[/[a-z]+$/.exec(v)![0] as keyof typeof UNIT_MS]));

const name = z.string().regex(NAME_RE, 'use lowercase letters, digits and dashes, e.g. head-age');
const channels = z
  .object({ slack: z.string().optional(), discord: z.string().optional(), console: z.string().optional(), telegram: z.string().optional() })
  .strict();
/** One argument of an SSH action: no spaces, quotes or shell characters (each is also quoted remotely). */
const sshArg = z.string().regex(/^[A-Za-z0-9_@%+=:,./-]{1,200}$/, 'one argument per list item: letters, digits and _@%+=:,./- only (no spaces, quotes or shell characters)');

const rule = z
  .object({
    name: name.describe('rule name, used by `silence` and remediation'),
    when: z
      .string()
      .max(120)
      .superRefine((text, ctx) => {
        const r = parseRuleExpr(text);
        if (!r.ok) ctx.addIssue({ code: 'custom', message: r.why });
      })
      .describe('condition, e.g. `lag > 5 for 2m`, `head_age > 180s`, `peers < 3`, `syncing`, `version != desired`, `unreachable for 1m`, `disk_used > 85%`; `threshold` means the environment threshold'),
    severity: z.enum(ALERT_SEVERITIES).default('warning').describe('info, warning or critical; default warning'),
    consecutive: z.number().int().min(1).max(100).optional().describe('results in a row before it fires; default alerts.consecutive'),
    envs: z.array(envName).min(1).optional().describe('only these environments; default all'),
    groups: z.array(groupName).min(1).optional().describe('only these groups; default all'),
    route: channels.optional().describe('channels for this rule, instead of alerts.routes and the environment channels'),
  })
  .strict();

const action = z
  .object({
    name: name.describe('action name, e.g. restart; the Restart node button runs `restart`'),
    ssh: z.array(sshArg).min(1).max(32).optional().describe('command run on the node over SSH, one argument per item, e.g. [sudo, systemctl, restart, geth]'),
    playbook: z
      .string()
      .regex(/^(?!.*\.\.)[A-Za-z0-9_./-]{1,300}\.ya?ml$/, 'use a playbook path such as playbooks/restart.yml')
      .optional()
      .describe('Ansible playbook run with --limit <node>'),
    groups: z.array(groupName).min(1).optional().describe('only for these groups (several actions may share a name); default all'),
    timeout: durationMs.optional().describe('give up after; default 2m'),
  })
  .strict()
  .refine((a) => (a.ssh ? 1 : 0) + (a.playbook ? 1 : 0) === 1, 'give exactly one of `ssh: [...]` or `playbook: <file>`');

const remediation = z
  .object({
    rule: name.describe('the alert rule this remediates'),
    action: name.describe('the action to run (from alerts.actions, or the built-in diagnose)'),
    mode: z.enum(['ask', 'auto']).default('ask').describe('ask: a button in the alert thread; auto: run when the alert fires; default ask'),
    cooldown: durationMs.default(1_800_000).describe('per node: no second automatic run within; default 30m'),
    envs: z.array(envName).min(1).optional(),
    groups: z.array(groupName).min(1).optional(),
  })
  .strict();

/** Fields of `alerts:` next to `routes`; every one optional (defaults live in default-rules.ts). */
export const alertSettingsShape = {
  consecutive: z.number().int().min(1).max(100).optional().describe('results in a row before an alert fires (debounce); default 2'),
  reminder: durationMs.optional().describe('remind in the thread while a firing alert is unacknowledged; 0 turns reminders off; default 30m'),
  rules: z.array(rule).optional().describe('alert rules; default: unreachable, head-age, lag, peers, syncing, version, disk-used on the environment thresholds'),
  actions: z.array(action).optional().describe('commands that remediation rules and alert buttons may run on a node'),
  remediation: z.array(remediation).optional().describe('alert rule → action, asked for with a button or run automatically'),
};

/** Cross-checks of the alert settings against the rest of the fleet file (names that must exist). */
export function checkAlertSettings(fleet: Pick<Fleet, 'alerts' | 'environments' | 'groups'>, ctx: z.RefinementCtx): void {
  const a = fleet.alerts;
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path: ['alerts', ...path], message });
  const ruleNames = (a.rules ?? DEFAULT_RULES).map((r) => r.name);
  const seen = new Set<string>();
  (a.rules ?? []).forEach((r, i) => {
    if (seen.has(r.name)) issue(['rules', i, 'name'], `rule name "${r.name}" is used twice; give each rule its own name`);
    seen.add(r.name);
  });
  const knownEnv = (e: string) => e in fleet.environments;
  const knownGroup = (g: string) => g in fleet.groups;
  const checkScope = (path: (string | number)[], scope: { envs?: string[]; groups?: string[] }) => {
    scope.envs?.forEach((e, j) => { if (!knownEnv(e)) issue([...path, 'envs', j], `environment "${e}" is not defined under environments:`); });
    scope.groups?.forEach((g, j) => { if (!knownGroup(g)) issue([...path, 'groups', j], `group "${g}" is not defined under groups:`); });
  };
  (a.rules ?? []).forEach((r, i) => checkScope(['rules', i], r));
  (a.actions ?? []).forEach((x, i) => checkScope(['actions', i], x));
  const actionNames = new Set([...(a.actions ?? []).map((x) => x.name), 'diagnose']);
  // A misspelt `fail_on` (`head_age`) would never match an alert, so a soak could not fail on it.
  for (const [g, group] of Object.entries(fleet.groups)) {
    group.promotion?.stages.forEach((s, i) => s.fail_on?.forEach((r, j) => {
      if (!ruleNames.includes(r)) ctx.addIssue({ code: 'custom', path: ['groups', g, 'promotion', 'stages', i, 'fail_on', j], message: `no alert rule named "${r}" (rules: ${ruleNames.join(', ')})` });
    }));
  }
  (a.remediation ?? []).forEach((r, i) => {
    checkScope(['remediation', i], r);
    if (!ruleNames.includes(r.rule)) issue(['remediation', i, 'rule'], `no alert rule named "${r.rule}" (rules: ${ruleNames.join(', ')})`);
    if (!actionNames.has(r.action)) issue(['remediation', i, 'action'], `no action named "${r.action}"; define it under alerts.actions (known: ${[...actionNames].join(', ')})`);
  });
}
