import { Agent, request } from 'undici';
import { z } from 'zod';
import { ChainopsError } from '../../src/errors.ts';
import { parsePruned } from './json-prune.ts';
import { authSecrets, describeTransportError, redact, safeOrigin } from './rpc-errors.ts';

/** Where to send calls: the node's URL plus optional basic-auth credentials (never put in the URL). */
export interface RpcTarget {
  url: string;
  auth?: { username: string; password: string };
}

export interface RpcCall {
  method: string;
  params?: unknown[];
}

/** One answer of a batch, in the order of the calls; `data` is the error's `data` member, unvalidated. */
export type RpcOutcome = { ok: true; result: unknown } | { ok: false; error: string; code?: number; data?: unknown };

/** What a plain HTTP GET got back: any status; `json` is undefined when the body is empty or not JSON. */
export interface HttpAnswer {
  status: number;
  json: unknown;
}

/** Options of the shared client; defaults suit sweeps of thousands of nodes. */
export interface JsonRpcClientOptions {
  /** Keep-alive sockets per node origin; default 4. */
  connectionsPerOrigin?: number;
  /** How long an idle socket stays open; default 30 000 ms. */
  keepAliveTimeoutMs?: number;
  /** Largest response body accepted; default 4 MiB. */
  maxResponseBytes?: number;
}

/** An RPC failure whose message is safe to show (no URL path, no credentials). */
export class RpcError extends ChainopsError {
  constructor(
    message: string,
    /** `transport`: no usable HTTP answer; `auth`: 401/403; `rpc`: the node answered with an error; `batch`: batches refused. */
    readonly kind: 'transport' | 'auth' | 'rpc' | 'batch' | 'invalid',
    readonly rpcCode?: number,
    /** The JSON-RPC error's `data` member (unvalidated), e.g. Solana's `{ numSlotsBehind }`. */
    readonly rpcData?: unknown,
  ) {
    super('rpc_error', message);
    this.name = 'RpcError';
  }
}

const rpcErrorSchema = z.object({ code: z.number().optional(), message: z.string().optional() }).loose();
const responseSchema = z
  .object({
    id: z.union([z.number(), z.string(), z.null()]).optional(),
    result: z.unknown().optional(),
    error: rpcErrorSchema.nullish(),
  })
  .loose();
type RpcResponse = z.infer<typeof responseSchema>;

/** JSON-RPC 2.0 over HTTP POST (and plain GETs for REST node APIs) with pooled keep-alive connections, per-request abort and batches. */
export class JsonRpcClient {
  private readonly agent: Agent;
  private readonly maxBytes: number;
  private nextId = 1;

  constructor(opts: JsonRpcClientOptions = {}) {
    this.agent = new Agent({
      connections: opts.connectionsPerOrigin ?? 4,
      keepAliveTimeout: opts.keepAliveTimeoutMs ?? 30_000,
      pipelining: 1,
    });
    this.maxBytes = opts.maxResponseBytes ?? 4 * 1024 * 1024;
  }

  /** Calls one method and returns its result; throws `RpcError` on any failure. */
  async call(target: RpcTarget, method: string, params: unknown[], opts: { timeoutMs: number }): Promise<unknown> {
    const id = this.nextId++;
    const body = await this.post(target, { jsonrpc: '2.0', id, method, params }, opts.timeoutMs);
    const parsed = responseSchema.safeParse(body);
    if (!parsed.success) throw new RpcError(`${method}: the node sent an answer that is not JSON-RPC`, 'invalid');
    const outcome = toOutcome(parsed.data);
    if (!outcome.ok) throw new RpcError(`${method}: ${outcome.error}`, 'rpc', outcome.code, outcome.data);
    return outcome.result;
  }

  /**
   * Sends the calls as one JSON-RPC batch; answers come back in call order. Throws `RpcError` with
   * kind `batch` when the node refuses batches, so the caller can fall back to single calls.
   */
  async batch(target: RpcTarget, calls: RpcCall[], opts: { timeoutMs: number; skipArrays?: readonly string[] }): Promise<RpcOutcome[]> {
    const ids = calls.map(() => this.nextId++);
    const payload = calls.map((c, i) => ({ jsonrpc: '2.0', id: ids[i], method: c.method, params: c.params ?? [] }));
    const body = await this.post(target, payload, opts.timeoutMs, true, opts.skipArrays);
    if (!Array.isArray(body)) {
      const single = responseSchema.safeParse(body);
      const why = single.success && single.data.error?.message ? `: ${clip(single.data.error.message)}` : '';
      throw new RpcError(`the node refused a batch request${why}`, 'batch');
    }
    // Answers may arrive in any order: match them to the calls by id.
    const byId = new Map<unknown, RpcResponse>();
    for (const item of body) {
      const parsed = responseSchema.safeParse(item);
      if (parsed.success) byId.set(parsed.data.id, parsed.data);
    }
    return ids.map((id, i) => {
      const answer = byId.get(id);
      return answer ? toOutcome(answer) : { ok: false, error: `no answer to ${calls[i]?.method} in the batch` };
    });
  }

  /**
   * GETs `path` below the target's URL (REST APIs: Beacon `/eth/v1/…`, CometBFT `/status`) and returns
   * the status with the parsed body; throws `RpcError` only for transport and auth (401/403) failures.
   */
  async get(target: RpcTarget, path: string, opts: { timeoutMs: number }): Promise<HttpAnswer> {
    const { status, bytes } = await this.send(target, 'GET', path, undefined, opts.timeoutMs);
    const text = bytes.toString('utf8');
    let json: unknown;
    try {
      json = text.trim() ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status, json };
  }

  /** Closes every pooled connection; call once when the process stops checking nodes. */
  async close(): Promise<void> {
    await this.agent.close();
  }

  private async post(target: RpcTarget, payload: unknown, timeoutMs: number, isBatch = false, skipArrays?: readonly string[]): Promise<unknown> {
    const origin = safeOrigin(target.url);
    const { status, bytes } = await this.send(target, 'POST', undefined, JSON.stringify(payload), timeoutMs);
    let json: unknown;
    try {
      json = parsePruned(bytes, skipArrays);
    } catch {
      // A batch refused by a proxy or an old node often comes back as a plain 4xx page.
      if (isBatch && status >= 400 && status < 500) throw new RpcError(`the node refused a batch request (HTTP ${status})`, 'batch');
      throw new RpcError(`the node at ${origin} answered HTTP ${status} with a body that is not JSON`, 'invalid');
    }
    return json;
  }

  /** One request with basic auth, a deadline and a size cap; transport and auth failures become `RpcError`. */
  private async send(
    target: RpcTarget,
    method: 'GET' | 'POST',
    path: string | undefined,
    body: string | undefined,
    timeoutMs: number,
  ): Promise<{ status: number; bytes: Buffer }> {
    const origin = safeOrigin(target.url);
    const secrets = authSecrets(target.auth);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (target.auth) {
      const token = Buffer.from(`${target.auth.username}:${target.auth.password}`).toString('base64');
      headers.authorization = `Basic ${token}`;
    }
    let res: Awaited<ReturnType<typeof request>>;
    try {
      res = await request(path === undefined ? target.url : withPath(target.url, path), {
        method,
        headers,
        ...(body === undefined ? {} : { body }),
        dispatcher: this.agent,
        // AbortSignal.timeout wants a whole number; budgets left over after a first call rarely are.
        signal: AbortSignal.timeout(Math.max(1, Math.ceil(timeoutMs))),
      });
    } catch (err) {
      throw new RpcError(redact(`${describeTransportError(err, timeoutMs)} (${origin})`, secrets), 'transport');
    }
    const status = res.statusCode;
    if (status === 401 || status === 403) {
      await res.body.dump();
      throw new RpcError(`authentication failed (HTTP ${status}) at ${origin}: check the RPC username and password`, 'auth');
    }
    try {
      return { status, bytes: await readCapped(res.body, this.maxBytes) };
    } catch (err) {
      throw new RpcError(redact(`${describeTransportError(err, timeoutMs)} (${origin})`, secrets), 'transport');
    }
  }
}

/**
 * `https://host/v3/KEY?x=1` + `/status` → `https://host/v3/KEY/status?x=1`: REST paths go below the
 * configured URL, so a provider's key path or query survives. Throws on an unparsable URL (the caller
 * is inside the transport try, so it becomes "invalid request").
 */
export function withPath(base: string, path: string): string {
  const url = new URL(base);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${path}`;
  return url.toString();
}

function toOutcome(r: RpcResponse): RpcOutcome {
  if (r.error) {
    const { code, data } = r.error;
    return { ok: false, error: clip(r.error.message ?? 'error without a message'), ...(code === undefined ? {} : { code }), ...(data === undefined ? {} : { data }) };
  }
  if (!('result' in r)) return { ok: false, error: 'answer without a result' };
  return { ok: true, result: r.result };
}

function clip(text: string): string {
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

/** Reads the body but stops at `max` bytes, so a misbehaving node cannot exhaust memory. */
async function readCapped(body: AsyncIterable<Buffer> & { destroy(err?: Error): unknown }, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > max) {
      body.destroy();
      throw Object.assign(new Error('response too large'), { code: 'CHAINOPS_BODY_TOO_LARGE' });
    }
    chunks.push(chunk);
  }
  // Most answers arrive in one chunk: use it as is rather than copy it.
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
}
