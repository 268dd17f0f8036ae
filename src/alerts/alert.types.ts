import type { Conversation } from '../chat/chat-event.ts';

export const ALERT_SEVERITIES = ['info', 'warning', 'critical'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

/** pending (debouncing, never shown) → firing → acknowledged → resolved. */
export type AlertState = 'pending' | 'firing' | 'acknowledged' | 'resolved';
export const ACTIVE_STATES: readonly AlertState[] = ['pending', 'firing', 'acknowledged'];

/** What an alert is about: one node, or a whole chain (chain+network) in one environment. */
export interface AlertSubject {
  scope: 'node' | 'chain';
  /** Set for node alerts. */
  node?: string;
  group?: string;
  env: string;
  chain: string;
  network: string;
  /** Arguments of an Upgrade button (`<group> <version> --env <env>`), for alerts an upgrade fixes (`fork_unready`). */
  upgrade?: string;
}

/** One alert: a rule that holds (or held) for a subject. De-duplicated by `key` while active. */
export interface Alert extends AlertSubject {
  /** `al-` + 8 characters; what people type in `ack` and `silence`. */
  id: string;
  /** `<rule>@<node>` or `<rule>@chain:<env>/<chain>/<network>`: one active alert per key. */
  key: string;
  rule: string;
  /** The condition with thresholds filled in, e.g. `lag > 5 for 2m`. */
  expr: string;
  severity: AlertSeverity;
  state: AlertState;
  /** What was seen the last time the condition held: `lag 12 blocks > 5`. */
  summary: string;
  value?: number;
  /** Results in a row with the condition true (the debounce counter while pending). */
  count: number;
  /** First result of this run with the condition true. */
  since: number;
  /** Last result with the condition true. */
  lastSeen: number;
  firedAt?: number;
  ack?: { by: string; at: number };
  resolvedAt?: number;
  /** Why it resolved: the last clear result, or that its node or rule left the fleet file. */
  resolution?: string;
  /** The silence muting it now (set when it fired muted, or when a silence was added). */
  silence?: { id: string; until: number; by: string };
  /** Whether its root message was posted (not while muted, nor without any route). */
  posted: boolean;
  /** Where its thread lives; the first is published under `alert:<id>`. */
  targets: Conversation[];
  lastRemindedAt?: number;
  reminders: number;
  /** Actions defined for the node's group when it fired (which buttons its message offers). */
  actions?: string[];
  /** The remediation rule that applies, if any (ask → a button; auto → run once when it fires). */
  remedy?: { action: string; mode: 'ask' | 'auto' };
  /** Compare-and-set revision, bumped by every save. */
  rev: number;
}

export const SILENCE_KINDS = ['alert', 'node', 'group', 'rule'] as const;
export type SilenceKind = (typeof SILENCE_KINDS)[number];

/** Mutes matching alerts until `until`: no root post, no reminders, no automatic remediation. */
export interface Silence {
  /** `sl-` + 8 characters. */
  id: string;
  kind: SilenceKind;
  /** The alert's de-duplication key (kind alert, so re-fires stay muted), or the node, group or rule name. */
  match: string;
  /** What the person typed (the alert id for kind alert). */
  label: string;
  by: string;
  reason?: string;
  createdAt: number;
  until: number;
}

/** Something people should see about an alert; turned into outbox items by `alertOutboxItems`. */
export type AlertNotice =
  | { kind: 'fired'; alert: Alert }
  | { kind: 'resolved'; alert: Alert }
  | { kind: 'reminder'; alert: Alert }
  | { kind: 'acknowledged'; alert: Alert }
  | { kind: 'silenced'; alert: Alert; silence: Silence }
  | { kind: 'unsilenced'; alert: Alert }
  | { kind: 'note'; alert: Alert; text: string; severity?: 'info' | 'ok' | 'warn' | 'error' };
