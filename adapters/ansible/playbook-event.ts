import { z } from 'zod';
import type { PlaybookEvent } from '../../src/ports/playbook.port.ts';

const stats = z.record(z.string(), z.record(z.string(), z.number()));
const eventLine = z.object({
  event: z.string().max(40),
  host: z.string().max(255).optional(),
  task: z.string().max(1000).optional(),
  action: z.string().max(200).optional(),
  msg: z.unknown().optional(),
  stderr: z.string().optional(),
  changed: z.boolean().optional(),
  diff: z.string().optional(),
  hosts: stats.optional(),
});

/** Parse one line of the chainops_jsonl callback; undefined for anything else (warnings, noise). */
export function parsePlaybookEvent(line: string): PlaybookEvent | undefined {
  if (!line.startsWith('{')) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return undefined;
  }
  const parsed = eventLine.safeParse(raw);
  if (!parsed.success) return undefined;
  const { msg, stderr, hosts, ...rest } = parsed.data;
  const text = typeof msg === 'string' ? msg : msg === undefined ? undefined : JSON.stringify(msg);
  const message = [text, stderr].filter((s) => s && s.trim()).join(' — ').slice(-500) || undefined;
  return {
    ...rest,
    ...(message ? { msg: message } : {}),
    ...(hosts ? { hosts: hosts as PlaybookEvent['hosts'] } : {}),
  };
}
