// The baseline of the sweep benchmark: exactly the HTTP requests a ChainOps sweep sent (recorded by
// the responder during a warm-up sweep: same URLs, headers and bodies), replayed by plain undici with
// the same pool shape and the same number of nodes in flight, each node's requests in its order,
// reading each body as bytes and nothing more. It is the ceiling a sweep could reach on this machine
// and responder, and it follows the checkers automatically when they change what they ask.
import { readFileSync } from 'node:fs';
import { Agent, request } from 'undici';
import type { RecordedRequest } from './rpc-responder.ts';

/** Same pool shape as `JsonRpcClient`'s defaults: 4 keep-alive sockets per origin, no pipelining. */
export function rawAgent(): Agent {
  return new Agent({ connections: 4, keepAliveTimeout: 30_000, pipelining: 1 });
}

/** The recorded requests grouped per node (each node has its own URL path), in the order they were sent. */
export function loadRecording(file: string): RecordedRequest[][] {
  const all = JSON.parse(readFileSync(file, 'utf8')) as RecordedRequest[];
  const perNode = new Map<string, RecordedRequest[]>();
  for (const r of all) perNode.set(r.url, [...(perNode.get(r.url) ?? []), r]);
  return [...perNode.values()];
}

/** Replays every node's requests with `concurrency` nodes in flight; returns how many HTTP requests were sent. */
export async function rawSweep(nodes: readonly RecordedRequest[][], agent: Agent, concurrency: number): Promise<number> {
  let requests = 0;
  let next = 0;
  const worker = async () => {
    while (next < nodes.length) {
      for (const r of nodes[next++]!) {
        requests++;
        const res = await request(r.url, { method: 'POST', headers: r.headers, body: r.body, dispatcher: agent });
        await res.body.arrayBuffer();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, nodes.length) }, worker));
  return requests;
}
