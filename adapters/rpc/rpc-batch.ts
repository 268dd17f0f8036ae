import { RpcError, type JsonRpcClient, type RpcCall, type RpcOutcome, type RpcTarget } from './json-rpc.client.ts';

/**
 * One JSON-RPC batch; if the node (or a proxy in front of it) refuses batches, the same calls one by
 * one in parallel within what is left of the budget. Answers come back in call order. Throws
 * `RpcError` only when the node cannot be talked to at all (transport or auth), so the caller can
 * report it down once instead of once per call.
 */
export async function batchOrSingles(
  client: JsonRpcClient,
  target: RpcTarget,
  calls: readonly RpcCall[],
  timeoutMs: number,
  start: number,
  /** Arrays in the answers nobody reads (see `dropFlatArrays`). */
  skipArrays?: readonly string[],
): Promise<RpcOutcome[]> {
  try {
    return await client.batch(target, [...calls], { timeoutMs, ...(skipArrays ? { skipArrays } : {}) });
  } catch (err) {
    if (!(err instanceof RpcError) || err.kind !== 'batch') throw err;
  }
  const left = Math.max(1, timeoutMs - (performance.now() - start));
  return Promise.all(
    calls.map((c) =>
      client.call(target, c.method, c.params ?? [], { timeoutMs: left }).then(
        (result): RpcOutcome => ({ ok: true, result }),
        (err: unknown): RpcOutcome => {
          if (err instanceof RpcError && (err.kind === 'transport' || err.kind === 'auth')) throw err;
          // `call` prefixes the method name; batch answers do not: keep the two paths alike.
          const text = err instanceof Error ? err.message.replace(`${c.method}: `, '') : String(err);
          if (!(err instanceof RpcError) || err.kind !== 'rpc') return { ok: false, error: text };
          return {
            ok: false,
            error: text,
            ...(err.rpcCode === undefined ? {} : { code: err.rpcCode }),
            ...(err.rpcData === undefined ? {} : { data: err.rpcData }),
          };
        },
      ),
    ),
  );
}
