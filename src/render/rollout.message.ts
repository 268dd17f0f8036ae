import type { Block, Button, Message, Severity } from '../chat/message.ts';
import { progressOf, type RolloutRecord } from '../rollout/rollout.record.ts';

const STATE_MARK: Record<string, string> = {
  pending: '·', upgrading: '▶ running playbook', gating: '⏳ health gate', done: '✓', failed: '✗', skipped: '–',
};

const SEVERITY: Record<RolloutRecord['status'], Severity> = {
  running: 'info', 'waiting-lock': 'info', paused: 'warn', halted: 'error', aborted: 'warn', done: 'ok', 'rolled-back': 'warn', failed: 'error',
};

/** Buttons that make sense in each state; values are the rollout id (short, within Discord's 100 chars). */
function controls(rec: RolloutRecord): Button[] {
  const id = rec.id;
  const rollback: Button = { actionId: 'rollout-rollback', label: 'Rollback', value: id, style: 'danger', confirm: { title: 'Plan a rollback?', text: `Plan restoring the previous version on the nodes ${id} changed that still run it; the plan is shown (and approved where ${rec.env} needs it) before anything runs.` } };
  const abort: Button = { actionId: 'rollout-abort', label: 'Abort', value: id, style: 'danger', confirm: { title: 'Abort the rollout?', text: 'It stops after the node in progress; nothing is rolled back by itself.' } };
  if (rec.dryRun) return [];
  switch (rec.status) {
    case 'running':
    case 'waiting-lock':
      return [{ actionId: 'rollout-pause', label: 'Pause', value: id }, abort];
    case 'paused':
      return [{ actionId: 'rollout-resume', label: 'Resume', value: id, style: 'primary' }, abort];
    case 'halted':
      return rec.kind === 'upgrade'
        ? [...(changedSomething(rec) ? [rollback] : []), { actionId: 'rollout-retry', label: 'Retry node', value: id, style: 'primary' }, abort]
        : [{ actionId: 'rollout-retry', label: 'Retry', value: id, style: 'primary' }, abort];
    case 'aborted':
    case 'done':
    case 'failed':
      return rec.kind === 'upgrade' && changedSomething(rec) ? [rollback] : [];
    default:
      return [];
  }
}

/**
 * Did this rollout evidently move a node to its version? A node that passed its gate did; one that
 * failed its gate for another reason (lag, head age) may have. A node whose playbook failed, or whose
 * gate saw another version, did not: a halted rollout that changed nothing offers no Rollback. (The
 * rollback plan itself reads each node's version over RPC; this only decides whether to offer it.)
 */
export function changedSomething(rec: RolloutRecord): boolean {
  return rec.nodes.some((n) => n.runs > 0 && n.from !== undefined && n.from !== n.to
    && (n.state === 'done' || (n.state === 'failed' && /^gate:/.test(n.detail ?? '') && !/reports version/.test(n.detail ?? ''))));
}

/** The message a rollout owns, edited in place after every node: status, per-node progress, controls. */
export function rolloutMessage(rec: RolloutRecord): Message {
  const p = progressOf(rec);
  const verb = rec.kind === 'rollback' ? `Rollback of ${rec.rollbackOf ?? '?'}` : rec.dryRun ? 'Dry run' : 'Rollout';
  const title = `${verb} ${rec.id}: ${rec.env}/${rec.group} → ${rec.kind === 'rollback' ? 'previous versions' : rec.version}`;
  const currentWave = rec.nodes.find((n) => n.state !== 'done' && n.state !== 'skipped')?.wave;
  const blocks: Block[] = [
    { type: 'header', text: title },
    { type: 'fields', fields: [
      { label: 'status', value: rec.status + (rec.reason ? ` — ${rec.reason}` : '') },
      { label: 'progress', value: `${p.done}/${rec.nodes.length} done${p.failed ? `, ${p.failed} failed` : ''}` },
      { label: 'wave', value: currentWave === undefined ? `${rec.waves.length} of ${rec.waves.length}` : `${currentWave + 1} of ${rec.waves.length}` },
      { label: 'requested by', value: rec.requestedBy + (rec.approvedBy.length ? `, approved by ${rec.approvedBy.join(', ')}` : '') },
    ] },
    {
      type: 'table',
      columns: ['node', 'wave', 'from', 'to', 'state'],
      rows: rec.nodes.map((n) => [n.name, String(n.wave + 1), n.from ?? '?', n.to, `${STATE_MARK[n.state] ?? n.state}${n.detail ? ` ${n.detail}` : ''}`]),
    },
    { type: 'context', text: `plan ${rec.planHash.slice(0, 12)} · full log: /chainops job ${rec.id} log` },
  ];
  const buttons = controls(rec);
  if (buttons.length) blocks.push({ type: 'actions', buttons });
  return { text: `${title} — ${rec.status} (${p.done}/${rec.nodes.length})`, severity: SEVERITY[rec.status], blocks };
}

/** A line for the rollout's thread. */
export function rolloutNote(text: string, severity: Severity = 'info'): Message {
  return { text, severity, blocks: [{ type: 'text', text }] };
}
