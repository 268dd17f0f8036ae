import type { Block, Message, Severity } from '../chat/message.ts';

/** The message a job owns: what it does, its state, and a control button while it may be cancelled. */
export function jobMessage(input: { jobId: string; title: string; state: string; summary: Block[]; detail?: string; severity?: Severity; cancellable?: boolean }): Message {
  const blocks: Block[] = [
    { type: 'header', text: input.title },
    ...input.summary,
    { type: 'fields', fields: [{ label: 'job', value: input.jobId }, { label: 'state', value: input.state }] },
  ];
  if (input.detail) blocks.push({ type: 'text', text: input.detail });
  if (input.cancellable) blocks.push({ type: 'actions', buttons: [{ actionId: 'cancel', label: 'Cancel', value: input.jobId, style: 'danger' }] });
  return { text: `${input.title} — ${input.state} (${input.jobId})`, severity: input.severity ?? 'info', blocks };
}
