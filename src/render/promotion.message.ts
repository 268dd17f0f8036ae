import type { Block, Button, Message, Severity } from '../chat/message.ts';
import type { PromotionRecord, StageRecord } from '../promotion/promotion.record.ts';

const MARK: Record<StageRecord['state'], string> = {
  pending: '·', 'waiting-resume': '⏸', delaying: '⏳', 'waiting-window': '🕘', blocked: '⏳', 'awaiting-approval': '✋', rolling: '▶', soaking: '🔎',
  done: '✓', failed: '✗', 'rolling-back': '↩', 'rolled-back': '↩', aborted: '■',
};

const SEVERITY: Record<PromotionRecord['status'], Severity> = { running: 'info', paused: 'warn', done: 'ok', failed: 'error', 'rolled-back': 'warn', aborted: 'warn' };

function stageLine(s: StageRecord, current: boolean, now: number): string {
  const bits = [`${MARK[s.state]} ${s.env}: ${s.state}`];
  if (s.rolloutId) bits.push(s.rolloutId);
  if (s.approvalId && s.state === 'awaiting-approval') bits.push(`approve with \`/chainops approve ${s.approvalId}\``);
  if (s.state === 'soaking' && s.soakUntil) bits.push(`until ${time(s.soakUntil)} (${Math.max(0, Math.ceil((s.soakUntil - now) / 60_000))}m left)`);
  if (s.state === 'delaying' && s.delayUntil && s.delayUntil > now) bits.push(`starts ${time(s.delayUntil)}`);
  if (s.rollbackId) bits.push(`rollback ${s.rollbackId}`);
  if (s.detail && s.state !== 'awaiting-approval') bits.push(s.detail);
  return `${current ? '→ ' : '  '}${bits.join(' · ')}`;
}

function time(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Pause/Resume and Abort while it runs; the value is the group (what `promotion pause <group>` takes). */
function controls(rec: PromotionRecord): Button[] {
  const abort: Button = { actionId: 'promotion-abort', label: 'Abort', value: rec.group, style: 'danger', confirm: { title: 'Abort the promotion?', text: `No further stage starts; a rollout in progress stops after its current node. Nothing is rolled back by itself.` } };
  if (rec.status === 'running') return [{ actionId: 'promotion-pause', label: 'Pause', value: rec.group }, abort];
  if (rec.status === 'paused') return [{ actionId: 'promotion-resume', label: 'Resume', value: rec.group, style: 'primary' }, abort];
  if (rec.stages[rec.stage]?.state === 'waiting-resume') return [{ actionId: 'promotion-resume', label: 'Resume', value: rec.group, style: 'primary' }, abort];
  return [];
}

/** The message a promotion owns (`promotion:<id>`), edited in place after every step: stages and history. */
export function promotionMessage(rec: PromotionRecord, now: number): Message {
  const title = `Promotion ${rec.id}: ${rec.group} → ${rec.version}`;
  const buttons = controls(rec);
  const blocks: Block[] = [
    { type: 'header', text: title },
    { type: 'fields', fields: [
      { label: 'status', value: rec.status + (rec.reason && rec.status !== 'running' ? ` — ${rec.reason}` : '') },
      { label: 'stage', value: `${rec.stage + 1} of ${rec.stages.length} (${rec.stages[rec.stage]?.env ?? '?'})` },
      { label: 'started by', value: `${rec.startedBy}${rec.via === 'on_release' ? ' (new release)' : ''}` },
    ] },
    { type: 'code', text: rec.stages.map((s, i) => stageLine(s, i === rec.stage && rec.status !== 'done', now)).join('\n') },
    { type: 'context', text: rec.history.slice(-8).map((h) => `${time(h.at).slice(11, 16)} ${h.text}`).join('\n') || 'no steps yet' },
    ...(buttons.length ? [{ type: 'actions' as const, buttons }] : []),
  ];
  return { text: `${title}: ${rec.status}`, severity: SEVERITY[rec.status], blocks };
}

/** `promotion status`: one line per promotion. */
export function promotionListMessage(recs: PromotionRecord[], now: number): Message {
  if (recs.length === 0) return { text: 'No promotions yet', blocks: [{ type: 'text', text: 'No promotions yet. Start one with `/chainops promotion start <group> <version>`.' }] };
  if (recs.length === 1) return promotionMessage(recs[0]!, now);
  return {
    text: `${recs.length} promotions`,
    blocks: [
      { type: 'header', text: 'Promotions' },
      { type: 'table', columns: ['id', 'group', 'version', 'status', 'stage'], rows: recs.map((r) => [r.id, r.group, r.version, r.status, `${r.stages[r.stage]?.env ?? '?'}: ${r.stages[r.stage]?.state ?? '?'}`]) },
    ],
  };
}
