import type { Block } from '../chat/message.ts';
import type { PlanSummary } from '../provision/terraform.port.ts';

const ACTION_LABEL = { add: '+ add', change: '~ change', destroy: '- destroy', replace: '± replace' } as const;

/** A saved plan as approvers see it: counts, then each resource by action, type and name. */
export function planBlocks(summary: PlanSummary, opts: { hash?: string; maxRows?: number; context?: string } = {}): Block[] {
  const max = opts.maxRows ?? 20;
  const rows = summary.changes.slice(0, max).map((c) => [ACTION_LABEL[c.action], c.type, c.key !== undefined ? `${c.name}[${c.key}]` : c.name]);
  const blocks: Block[] = [
    { type: 'fields', fields: [
      { label: 'to add', value: String(summary.add) },
      { label: 'to change', value: String(summary.change) },
      { label: 'to destroy', value: String(summary.destroy) },
      ...(opts.hash ? [{ label: 'plan', value: opts.hash.slice(0, 12) }] : []),
    ] },
  ];
  if (rows.length) blocks.push({ type: 'table', columns: ['action', 'type', 'name'], rows });
  if (summary.changes.length > max) blocks.push({ type: 'context', text: `…and ${summary.changes.length - max} more (see the job log)` });
  if (summary.empty) blocks.push({ type: 'text', text: 'No changes: the infrastructure matches the configuration.' });
  if (opts.context) blocks.push({ type: 'context', text: opts.context });
  return blocks;
}

/** The last lines of a running command, for the job message (the full log stays in the job log). */
export function tailBlock(lines: string[], max = 6): Block[] {
  if (lines.length === 0) return [];
  const tail = lines.slice(-max).map((l) => (l.length > 160 ? `${l.slice(0, 157)}…` : l));
  return [{ type: 'code', text: tail.join('\n') }];
}
