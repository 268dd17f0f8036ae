import { z } from 'zod';
import type { HttpAnswer } from './json-rpc.client.ts';
import { RpcError } from './json-rpc.client.ts';
import { unexpectedError } from './rpc-errors.ts';
import { clipText, firstIssue } from './rpc-schemas.ts';

/** A REST answer read through its schema, or one sentence saying what was wrong with it. */
export type Read<T> = { ok: true; data: T } | { ok: false; problem: string; transport?: boolean };

// Beacon API errors are `{ code, message }`; CometBFT's are JSON-RPC `{ error: { message, data } }`.
const errorBody = z.union([
  z.object({ message: z.string() }).loose(),
  z.object({ error: z.object({ message: z.string().optional(), data: z.unknown().optional() }).loose() }).loose(),
]);

/** What the node said about a failure, if it said anything readable. */
export function errorText(json: unknown): string | undefined {
  const parsed = errorBody.safeParse(json);
  if (!parsed.success) return undefined;
  if ('message' in parsed.data && typeof parsed.data.message === 'string') return clipText(parsed.data.message);
  const err = (parsed.data as { error: { message?: string; data?: unknown } }).error;
  const parts = [err.message, typeof err.data === 'string' ? err.data : undefined].filter((p): p is string => Boolean(p?.trim()));
  return parts.length ? clipText(parts.join(': ')) : undefined;
}

/** Why a settled GET failed, as a phrase safe for chat (RpcError messages carry no URL path or secret). */
export function rejection(reason: unknown): string {
  return reason instanceof RpcError ? reason.message : unexpectedError(reason);
}

/**
 * Reads one settled GET: a transport failure, a non-2xx status (with the node's own message), a body
 * that is not JSON and a body of the wrong shape each become a clear `problem` naming the path.
 */
export function readRest<T>(got: PromiseSettledResult<HttpAnswer>, schema: z.ZodType<T>, path: string): Read<T> {
  if (got.status === 'rejected') return { ok: false, problem: `${path} failed: ${rejection(got.reason)}`, transport: true };
  const { status, json } = got.value;
  if (status < 200 || status >= 300) {
    const said = errorText(json);
    return { ok: false, problem: `${path} answered HTTP ${status}${said ? `: ${said}` : ''}` };
  }
  if (json === undefined) return { ok: false, problem: `${path} answered HTTP ${status} with a body that is not JSON` };
  const parsed = schema.safeParse(json);
  if (!parsed.success) return { ok: false, problem: `${path} returned an unexpected shape (${firstIssue(parsed.error)})` };
  return { ok: true, data: parsed.data };
}
