import { Redactor } from '../../src/provision/redact.ts';

const redactor = new Redactor();

/** The last part of a command's output, secrets scrubbed, short enough for a chat message. */
export function tail(text: string, max = 1_500): string | undefined {
  const t = redactor.redact(text).trim();
  if (!t) return undefined;
  return t.length > max ? `…${t.slice(-max)}` : t;
}
