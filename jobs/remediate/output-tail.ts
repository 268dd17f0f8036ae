import { processRedactor } from '../../src/secrets/process-secrets.ts';

const redactor = processRedactor();

/** The last part of a command's output, secrets scrubbed, short enough for a chat message. */
export function tail(text: string, max = 1_500): string | undefined {
  const t = redactor.redact(text).trim();
  if (!t) return undefined;
  return t.length > max ? `…${t.slice(-max)}` : t;
}
