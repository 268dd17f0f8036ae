import type { AuditLog } from '../ports/audit.port.ts';
import type { Outbox } from '../ports/outbox.port.ts';
import type { RolloutStore } from '../ports/rollout.port.ts';
import type { Redactor } from './redactor.ts';

/**
 * Put the redactor in front of the ports through which output leaves a process — what workers post
 * to chat (outbox), the audit log, rollout job logs — by wrapping the instances' write methods in
 * place, so every holder of the instance (core, workers, tools) goes through it.
 */
export function redactWrites(r: Redactor, ports: { outbox?: Outbox; audit?: AuditLog; rollouts?: Pick<RolloutStore, 'appendLog'> }): void {
  const { outbox, audit, rollouts } = ports;
  if (outbox) {
    const publish = outbox.publish.bind(outbox);
    outbox.publish = (item) => publish(r.redactDeep(item));
  }
  if (audit) {
    const append = audit.append.bind(audit);
    audit.append = (entry) => append(r.redactDeep(entry));
  }
  if (rollouts) {
    const appendLog = rollouts.appendLog.bind(rollouts);
    rollouts.appendLog = (id, lines) => appendLog(id, lines.map((l) => r.redact(l)));
  }
}
