import type { Alert, Silence } from '../alerts/alert.types.ts';
import type { Block, Button, Message, Severity } from '../chat/message.ts';
import { ago, isoTime } from './basic.messages.ts';

const ICON: Record<Alert['state'], string> = { pending: '⏳', firing: '🔴', acknowledged: '👀', resolved: '✅' };
/** A firing alert's mark by severity: only critical is red; info is a notice, not an incident. */
const FIRING_ICON: Record<Alert['severity'], string> = { critical: '🔴', warning: '🟠', info: '🔵' };

function icon(a: Alert): string {
  return a.state === 'firing' ? FIRING_ICON[a.severity] : ICON[a.state];
}

/** The state word people read: an info alert that fires is a NOTICE, not FIRING. */
function stateWord(a: Alert): string {
  const word = a.state === 'firing' && a.severity === 'info' ? 'notice' : a.state;
  return a.state === 'firing' && a.silence ? `${word} (silenced)` : word;
}
const SEVERITY: Record<Alert['severity'], Severity> = { info: 'info', warning: 'warn', critical: 'error' };

/** Chain alerts of chain-truth rules, by their condition (`alerts.rules[].when`). */
const CHAIN_TITLES: Record<string, string> = { chain_split: 'chain split', client_supermajority: 'client supermajority' };

/** `lag on eth-1 (prod)` or `chain stalled: ethereum/devnet (prod)`. */
export function alertTitle(a: Alert): string {
  if (a.scope !== 'chain') return `${a.rule} on ${a.node} (${a.env})`;
  // Chain-truth rules name themselves; the head-age rule's chain alert is the chain-stalled one.
  const what = CHAIN_TITLES[a.expr.split(' ')[0] ?? ''] ?? 'chain stalled';
  return `${what}: ${a.chain}/${a.network} (${a.env})`;
}

/** Buttons of an alert's root message: none once it resolved. */
function buttons(a: Alert): Button[] {
  if (a.state !== 'firing' && a.state !== 'acknowledged') return [];
  const out: Button[] = [];
  if (a.state === 'firing') out.push({ actionId: 'ack', label: 'Acknowledge', value: a.id, style: 'primary' });
  if (!a.silence) out.push({ actionId: 'alert-silence', label: 'Silence 1h', value: `${a.id} 1h` });
  const node = a.node;
  const actions = node ? (a.actions ?? []) : [];
  if (node && actions.includes('diagnose')) out.push({ actionId: 'alert-run', label: 'Run diagnostics', value: `diagnose ${node} --alert ${a.id}` });
  if (node && actions.includes('restart')) {
    out.push({
      actionId: 'alert-run', label: 'Restart node', value: `restart ${node} --alert ${a.id}`, style: 'danger',
      confirm: { title: `Restart ${node}?`, text: `Runs the restart action of the fleet file on ${node} over SSH.` },
    });
  }
  if (a.upgrade) {
    const [group, version] = a.upgrade.split(' ');
    out.push({ actionId: 'drift-upgrade', label: `Upgrade ${group} to ${version}`.slice(0, 75), value: a.upgrade, style: 'primary' });
  }
  const remedy = a.remedy;
  if (node && remedy?.mode === 'ask' && remedy.action !== 'restart' && remedy.action !== 'diagnose' && actions.includes(remedy.action)) {
    out.push({
      actionId: 'alert-run', label: `Run ${remedy.action}`.slice(0, 60), value: `${remedy.action} ${node} --alert ${a.id}`, style: 'danger',
      confirm: { title: `Run ${remedy.action} on ${node}?`, text: `Runs the ${remedy.action} action of the fleet file on ${node}.` },
    });
  }
  return out;
}

/** The alert's root message, edited in place as it moves through its states. */
export function alertMessage(a: Alert, _now: number): Message {
  const state = stateWord(a);
  const blocks: Block[] = [
    { type: 'header', text: `${icon(a)} ${state.toUpperCase()} · ${alertTitle(a)}` },
    { type: 'text', text: a.state === 'resolved' ? `Resolved: ${a.resolution ?? 'the condition cleared'} (last seen: ${a.summary})` : a.summary },
    {
      type: 'fields',
      fields: [
        { label: 'alert', value: a.id },
        { label: 'rule', value: `${a.rule}: ${a.expr}` },
        { label: 'severity', value: a.severity },
        { label: a.scope === 'chain' ? 'chain' : 'node', value: a.scope === 'chain' ? `${a.chain}/${a.network}` : `${a.node} (${a.group})` },
        // Absolute times only: the root is edited on state changes, so "3m ago" would go stale.
        { label: 'since', value: isoTime(a.firedAt ?? a.since) },
        ...(a.resolvedAt ? [{ label: 'resolved', value: `${isoTime(a.resolvedAt)} after ${ago(a.resolvedAt - (a.firedAt ?? a.since)).replace(' ago', '')}` }] : []),
      ],
    },
  ];
  const notes = [
    a.ack ? `acknowledged by ${a.ack.by} at ${isoTime(a.ack.at)}` : '',
    a.silence && a.state !== 'resolved' ? `silenced by ${a.silence.by} until ${isoTime(a.silence.until)}` : '',
    a.remedy ? `remediation: ${a.remedy.action} (${a.remedy.mode === 'auto' ? 'runs automatically' : 'on request'})` : '',
  ].filter(Boolean);
  if (notes.length) blocks.push({ type: 'context', text: notes.join(' · ') });
  const actions = buttons(a);
  if (actions.length) blocks.push({ type: 'actions', buttons: actions });
  const severity: Severity = a.state === 'resolved' ? 'ok' : a.state === 'acknowledged' ? 'warn' : SEVERITY[a.severity];
  return { text: `${state.toUpperCase()} ${alertTitle(a)}: ${a.state === 'resolved' ? 'resolved' : a.summary} [${a.id}]`, severity, blocks };
}

/** A line in an alert's thread (updates, reminders, results). */
export function alertThreadMessage(text: string, severity: Severity = 'info', code?: string): Message {
  const blocks: Block[] = [{ type: 'text', text }];
  if (code) blocks.push({ type: 'code', text: code });
  return { text, severity, blocks };
}

/** `/chainops alerts`: firing and acknowledged alerts, how many are confirming, and the silences in force. */
export function alertsListMessage(alerts: readonly Alert[], silences: readonly Silence[], now: number, scope?: string): Message {
  const shown = alerts.filter((a) => a.state === 'firing' || a.state === 'acknowledged');
  const pending = alerts.filter((a) => a.state === 'pending').length;
  const title = `Alerts${scope ? ` in ${scope}` : ''}`;
  const blocks: Block[] = [{ type: 'header', text: title }];
  if (shown.length) {
    blocks.push({
      type: 'table',
      columns: ['alert', 'state', 'severity', 'subject', 'what', 'since'],
      rows: shown.slice(0, 50).map((a) => [
        a.id,
        `${icon(a)} ${stateWord(a).replace(' (silenced)', '')}${a.silence ? ' 🔕' : ''}`,
        a.severity,
        a.scope === 'chain' ? `${a.chain}/${a.network} (${a.env})` : `${a.node} (${a.env})`,
        `${a.rule}: ${a.summary}`,
        ago(now - (a.firedAt ?? a.since)),
      ]),
    });
    if (shown.length > 50) blocks.push({ type: 'context', text: `…and ${shown.length - 50} more` });
  } else blocks.push({ type: 'text', text: 'Nothing is firing.' });
  const notes: string[] = [];
  if (pending) notes.push(`${pending} more being confirmed (pending)`);
  if (silences.length) notes.push(`silences: ${silences.map((s) => `${s.label} (${s.kind}) until ${isoTime(s.until)} by ${s.by}`).join('; ')}`);
  notes.push('Acknowledge with `/chainops ack <alert>`, mute with `/chainops silence <alert|node|group|rule> <duration>`.');
  blocks.push({ type: 'context', text: notes.join(' · ') });
  const firing = shown.filter((a) => a.state === 'firing').length;
  return {
    text: shown.length ? `${title}: ${firing} firing, ${shown.length - firing} acknowledged` : `${title}: nothing is firing`,
    severity: firing ? 'error' : shown.length ? 'warn' : 'ok',
    blocks,
  };
}
