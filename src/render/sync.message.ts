import type { Block, Message } from '../chat/message.ts';
import type { FleetProblem } from '../fleet/fleet.load.ts';
import type { FleetChange } from '../gitops/fleet-diff.ts';

const MAX_ROWS = 40;

function changeTable(changes: FleetChange[]): Block[] {
  const rows = changes.slice(0, MAX_ROWS).map((c) => [c.what, c.before, c.after]);
  return [
    { type: 'table', columns: ['desired state', 'in force', 'new'], rows },
    ...(changes.length > MAX_ROWS ? [{ type: 'context' as const, text: `…and ${changes.length - MAX_ROWS} more changes` }] : []),
  ];
}

/** What `sync` would change, with an Apply button bound to this exact revision. */
export function syncPreviewMessage(input: { source: string; rev: string; commit?: string; current: string; changes: FleetChange[] }): Message {
  return {
    text: `Fleet file ${input.rev}: ${input.changes.length} change${input.changes.length === 1 ? '' : 's'} to desired state — not in force yet`,
    severity: 'warn',
    blocks: [
      { type: 'header', text: `Sync preview: ${input.rev}` },
      { type: 'fields', fields: [
        { label: 'source', value: input.source },
        ...(input.commit ? [{ label: 'commit', value: input.commit.slice(0, 12) }] : []),
        { label: 'in force', value: input.current },
        { label: 'changes', value: String(input.changes.length) },
      ] },
      ...changeTable(input.changes),
      { type: 'context', text: `Nothing changed yet. Put it in force with \`/chainops sync apply ${input.rev}\` (admin) or the button.` },
      { type: 'actions', buttons: [{ actionId: 'sync-apply', label: `Apply ${input.rev}`, value: input.rev, style: 'primary', confirm: { title: 'Put this fleet file in force?', text: `${input.changes.length} changes to desired state (revision ${input.rev})` } }] },
    ],
  };
}

/** The fleet file was put in force. */
export function syncAppliedMessage(input: { rev: string; commit?: string; by: string; changes: FleetChange[] }): Message {
  return {
    text: `Fleet file ${input.rev} is in force (${input.changes.length} changes), by ${input.by}`,
    severity: 'ok',
    blocks: [
      { type: 'header', text: `Fleet file ${input.rev} is in force` },
      { type: 'fields', fields: [{ label: 'by', value: input.by }, ...(input.commit ? [{ label: 'commit', value: input.commit.slice(0, 12) }] : []), { label: 'changes', value: String(input.changes.length) }] },
      ...changeTable(input.changes),
    ],
  };
}

/** An invalid fleet file from the source: refused, with every problem; the running config is unchanged. */
export function syncRefusedMessage(input: { source: string; rev: string; commit?: string; current: string; problems: FleetProblem[] }): Message {
  const lines = input.problems.slice(0, 30).map((p) => `✖ ${p.path}${p.line ? ` (line ${p.line})` : ''}: ${p.message}`);
  return {
    text: `✖ Fleet file ${input.rev} from ${input.source} is invalid (${input.problems.length} problem${input.problems.length === 1 ? '' : 's'}); the running config ${input.current} is unchanged`,
    severity: 'error',
    blocks: [
      { type: 'header', text: `Sync refused: ${input.rev} is not a valid fleet file` },
      { type: 'code', text: lines.join('\n') + (input.problems.length > 30 ? `\n…and ${input.problems.length - 30} more` : '') },
      { type: 'context', text: `The running config ${input.current} stays in force. Fix the file${input.commit ? ` (commit ${input.commit.slice(0, 12)})` : ''}, push, and run \`/chainops sync\` again.` },
    ],
  };
}
