import type { Block, Button, Message } from '../chat/message.ts';
import type { Fleet } from '../fleet/fleet.schema.ts';
import { hasDrift, type DriftReport } from '../inventory/drift-report.ts';

/**
 * The drift report: one table per environment/group (version, capacity, Terraform), with buttons
 * "Upgrade to desired" (the normal upgrade flow, approvals included) and "Plan fix" (Terraform plan).
 * `pending` says which checks are still running; `note` adds a line (e.g. how old the plans are).
 */
export function driftMessage(fleet: Fleet, r: DriftReport, opts: { title?: string; pending?: string; note?: string } = {}): Message {
  const blocks: Block[] = [];
  const buttons: Button[] = [];
  const groups = [...new Set([...r.nodes.map((n) => `${n.env}/${n.group}`), ...r.count.map((c) => `${c.env}/${c.group}`)])].sort();
  for (const key of groups) {
    const [env, group] = key.split('/') as [string, string];
    const nodes = r.nodes.filter((n) => n.env === env && n.group === group);
    const count = r.count.find((c) => c.env === env && c.group === group);
    const rows = nodes
      .filter((n) => n.version || n.capacity?.length || n.capacityNote)
      .map((n) => [
        n.node,
        n.version ? (n.version.running ? `${n.version.running} → ${n.version.desired}` : `${n.version.why ?? '?'} (want ${n.version.desired})`) : 'ok',
        n.capacity?.length ? n.capacity.map((c) => `${c.what} ${c.actual} (want ${c.expected})`).join('; ') : (n.capacityNote ?? 'ok'),
      ]);
    const countText = count ? (count.error ? `Terraform plan failed: ${count.error}` : count.plan ? `Terraform plan not empty: ${count.plan}` : 'Terraform plan: no changes') : undefined;
    if (rows.length === 0 && !(count && (count.plan || count.error))) continue;
    blocks.push({ type: 'text', text: `**${key}**${countText ? ` — ${countText}` : ''}` });
    if (rows.length) blocks.push({ type: 'table', columns: ['node', 'version (running → desired)', 'capacity vs shape'], rows });
    const desired = fleet.groups[group]?.desired_version;
    if (desired && nodes.some((n) => n.version?.running) && buttons.length < 4) {
      buttons.push({ actionId: 'drift-upgrade', label: `Upgrade ${group} to ${desired}`.slice(0, 75), value: `${group} ${desired} --env ${env}`, style: 'primary' });
    }
    if (count?.plan && !buttons.some((b) => b.actionId === 'drift-plan' && b.value === env) && buttons.length < 5) {
      buttons.push({ actionId: 'drift-plan', label: `Plan fix (${env})`, value: env });
    }
  }
  const drift = hasDrift(r);
  if (!drift) blocks.push({ type: 'text', text: `No drift: ${r.checked.version} nodes run their desired version${r.checked.capacity ? `, ${r.checked.capacity} hosts match their shape` : ''}${r.checked.terraform ? `, ${r.checked.terraform} Terraform plans are empty` : ''}.` });
  blocks.push({ type: 'context', text: `checked: versions of ${r.checked.version} nodes · capacity of ${r.checked.capacity} hosts over SSH · ${r.checked.terraform} Terraform plans${opts.pending ? ` · still running: ${opts.pending}` : ''}` });
  if (opts.note) blocks.push({ type: 'context', text: opts.note });
  if (buttons.length) blocks.push({ type: 'actions', buttons });
  const title = opts.title ?? `Drift${r.envs.length === 1 ? ` in ${r.envs[0]}` : ''}`;
  return {
    text: drift ? `${title}: drift found` : `${title}: none`,
    severity: drift ? 'warn' : 'ok',
    blocks: [{ type: 'header', text: title }, ...blocks],
  };
}
