import type { Conversation } from '../chat/chat-event.ts';
import type { AuditLog } from '../ports/audit.port.ts';
import type { Clock } from '../ports/clock.port.ts';
import type { Outbox } from '../ports/outbox.port.ts';
import type { StateStore } from '../ports/state.port.ts';
import { boundPlan } from '../provision/bound-plan.ts';
import { approvalMessage, isoMinute } from '../render/approval.message.ts';

export interface ExpiryDeps {
  state: StateStore;
  outbox: Outbox;
  audit: AuditLog;
  clock: Clock;
}

/**
 * Close every pending approval whose time ran out: mark it `expired` and edit its message (buttons
 * removed, "expired at …"). Safe with any number of bot replicas sweeping at once: each approval is
 * claimed by the same compare-and-set a click uses, so exactly one replica (or click) closes it and
 * only that one edits the message. Returns the ids this call closed.
 */
export async function expireApprovals(deps: ExpiryDeps): Promise<string[]> {
  const now = deps.clock.now();
  const closed: string[] = [];
  for (const req of await deps.state.listApprovals('pending')) {
    if (req.status !== 'pending' || now <= req.expiresAt) continue;
    const next = { ...req, status: 'expired' as const, rev: req.rev + 1 };
    if (!(await deps.state.saveApproval(next, req.rev))) continue; // another replica or a click got it first
    closed.push(req.id);
    await deps.audit.append({ at: now, actor: 'system:bot', action: 'approval.expire', detail: `${req.id} expired at ${isoMinute(req.expiresAt)} (${req.command})`, outcome: 'refused', ref: req.id });
    const key = `approval:${req.id}`;
    const ref = req.message ?? (await deps.state.getMessageRef(key));
    if (!ref) continue; // never posted: nothing to edit
    const conversation: Conversation = { platform: ref.platform, channelId: ref.channelId, ...(ref.threadId ? { threadId: ref.threadId } : {}) };
    const summary = req.summary ?? boundPlan(req)?.summary ?? [];
    await deps.outbox.publish({ op: 'upsert', key, conversation, message: approvalMessage(next, summary, `Nobody decided within the approval window; nothing ran. Run \`${req.command}\` again to ask anew.`) });
  }
  return closed;
}
