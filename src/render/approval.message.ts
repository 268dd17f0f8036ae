import type { ApprovalRequest } from '../approval/approval.ts';
import type { Block, Message } from '../chat/message.ts';

/** The approval request as the channel sees it; buttons only while it is pending. */
export function approvalMessage(req: ApprovalRequest, summary: Block[], note?: string): Message {
  const state = {
    pending: `Waiting for ${req.required - req.approvals.length} more approval${req.required - req.approvals.length === 1 ? '' : 's'} (${req.approverRole} role, not the requester)`,
    approved: `Approved by ${req.approvals.join(', ')}`,
    rejected: req.withdrawn ? `Withdrawn by the requester, ${req.requestedBy}` : `Rejected by ${req.rejectedBy ?? '?'}`,
    expired: `Expired at ${isoMinute(req.expiresAt)} — run \`${req.command}\` again to ask anew`,
  }[req.status];
  const severity = req.status === 'pending' ? 'warn' : req.status === 'approved' ? 'ok' : 'error';
  // The plan summary usually names the environment already: say it once.
  const envShown = summary.some((b) => b.type === 'fields' && b.fields.some((f) => f.label === 'environment'));
  const blocks: Block[] = [
    { type: 'header', text: `Approval ${req.id}: ${req.command.replace(/^\/chainops /, '')}` },
    ...summary,
    { type: 'fields', fields: [
      { label: 'requested by', value: req.requestedBy },
      ...(envShown ? [] : [{ label: 'environment', value: req.env }]),
      { label: 'status', value: req.withdrawn ? 'withdrawn' : req.status },
      { label: 'plan', value: req.planHash.slice(0, 12) },
    ] },
    { type: 'text', text: state },
  ];
  if (req.approvals.length && req.status === 'pending') blocks.push({ type: 'context', text: `approved so far by ${req.approvals.join(', ')}` });
  if (note) blocks.push({ type: 'context', text: note });
  if (req.status === 'pending') {
    blocks.push({ type: 'context', text: `expires at ${isoMinute(req.expiresAt)} · the requester may withdraw it with Reject` });
    blocks.push({ type: 'actions', buttons: [
      { actionId: 'approve', label: 'Approve', value: req.id, style: 'primary', confirm: { title: 'Approve this change?', text: `${req.command} in ${req.env} (plan ${req.planHash.slice(0, 12)})` } },
      { actionId: 'reject', label: 'Reject', value: req.id, style: 'danger' },
    ] });
  }
  return { text: `Approval ${req.id} (${req.withdrawn ? 'withdrawn' : req.status}): ${req.command}`, severity, blocks };
}

/** `2026-01-06 09:30 UTC`: when a request expires or expired, readable on every platform. */
export function isoMinute(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
