import { ChainopsError } from '../../src/errors.ts';

/** Parse a JSON record read back from Redis with its schema; a damaged record is an internal error naming it. */
export function parseStored<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { message: string } } }, raw: string, what: string): T {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new ChainopsError('internal', `stored ${what} is not JSON`);
  }
  const res = schema.safeParse(value);
  if (!res.success) throw new ChainopsError('internal', `stored ${what} is malformed: ${res.error.message}`);
  return res.data;
}
