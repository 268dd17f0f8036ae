import { z } from 'zod';
import type { Snapshot } from '../../src/health/snapshot.ts';

/**
 * A non-negative integer sent as a decimal string (Beacon API `Uint64`, CometBFT heights) or, from
 * lenient servers, as a JSON number; anything past 2^53 is refused rather than silently rounded.
 */
export const uintLike = z
  .union([z.string().regex(/^\d{1,16}$/, 'expected a decimal integer string'), z.number().int().nonnegative()], {
    error: (issue) => (issue.input === undefined ? 'missing' : 'expected a decimal integer string'),
  })
  .transform((v) => Number(v))
  .refine((n) => Number.isSafeInteger(n), 'integer too large');

/**
 * `data.head_slot: expected a decimal integer string`: the first problem, short enough for chat.
 * `root` names what was parsed when it is not the whole body (`result` of a JSON-RPC envelope).
 */
export function firstIssue(error: z.ZodError, root?: string): string {
  const issue = error.issues[0];
  if (!issue) return 'unexpected shape';
  const path = [...(root ? [root] : []), ...issue.path.map(String)].join('.');
  return `${path || 'body'}: ${issue.message}`.slice(0, 120);
}

/** Adds a warning once; blank texts are dropped. */
export function warn(snap: Snapshot, text: string): void {
  const clean = text.trim();
  if (clean && !snap.warnings.includes(clean)) snap.warnings.push(clean);
}

/** Clips text a node sent us (error messages) before it goes into a snapshot. */
export function clipText(text: string, max = 160): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, ' ').trim();
  return clean.length > max ? `${clean.slice(0, max - 3)}...` : clean;
}
