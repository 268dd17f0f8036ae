import type { AlertSeverity } from './alert.types.ts';

/** A rule as written in the fleet file (`alerts.rules[]`), after defaults. */
export interface AlertRuleInput {
  name: string;
  when: string;
  severity: AlertSeverity;
  consecutive?: number;
  envs?: string[];
  groups?: string[];
  route?: { slack?: string; discord?: string; console?: string };
}

/**
 * The rules in force when the fleet file sets no `alerts.rules`. `client_supermajority` is not among
 * them: it would warn on every single-client fleet; list it (`when: client_supermajority`) to page
 * on it. The status header marks a supermajority either way. Each follows the environment's
 * thresholds, so a dev environment with `min_peers: 0` never pages about peers.
 */
export const DEFAULT_RULES: readonly AlertRuleInput[] = [
  { name: 'unreachable', when: 'unreachable', severity: 'critical' },
  { name: 'head-age', when: 'head_age > threshold', severity: 'critical' },
  { name: 'lag', when: 'lag > threshold', severity: 'warning' },
  { name: 'peers', when: 'peers < threshold', severity: 'warning' },
  { name: 'syncing', when: 'syncing', severity: 'warning' },
  { name: 'version', when: 'version != desired', severity: 'info' },
  { name: 'disk-used', when: 'disk_used > threshold', severity: 'warning' },
  { name: 'chain-split', when: 'chain_split', severity: 'critical' },
  { name: 'fork-unready', when: 'fork_unready', severity: 'critical' },
  { name: 'fork-view', when: 'fork_view', severity: 'warning' },
  { name: 'fork-stalled', when: 'fork_stalled', severity: 'critical' },
];

/** Defaults of the `alerts:` settings. */
export const ALERT_DEFAULTS = {
  /** Results in a row before a pending alert fires. */
  consecutive: 2,
  /** Reminder interval for firing, unacknowledged alerts. */
  reminderMs: 30 * 60_000,
  /** Cool-down between two actions of one remediation rule on one node. */
  cooldownMs: 30 * 60_000,
  /** Longest an SSH action may run. */
  actionTimeoutMs: 120_000,
} as const;
