import type { Block, Message, Severity } from '../chat/message.ts';

/** A refusal or failure shown only to the asker. */
export function errorMessage(text: string): Message {
  return { text: `✖ ${text}`, severity: 'error', ephemeral: true, blocks: [{ type: 'text', text }] };
}

/** A short note shown only to the asker. */
export function noteMessage(text: string, severity: Severity = 'info'): Message {
  return { text, severity, ephemeral: true, blocks: [{ type: 'text', text }] };
}

/** A titled message visible to the channel. */
export function titled(title: string, blocks: Block[], opts: { severity?: Severity; text?: string; ephemeral?: boolean } = {}): Message {
  return {
    text: opts.text ?? title,
    severity: opts.severity ?? 'info',
    ...(opts.ephemeral ? { ephemeral: true } : {}),
    blocks: [{ type: 'header', text: title }, ...blocks],
  };
}

/** `3m ago`, `12s ago`, for ages in milliseconds. */
export function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 90) return `${s}s ago`;
  const m = Math.round(s / 60);
  if (m < 90) return `${m}m ago`;
  const h = Math.round(m / 60);
  return h < 48 ? `${h}h ago` : `${Math.round(h / 24)}d ago`;
}

/** ISO time without milliseconds, UTC. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
