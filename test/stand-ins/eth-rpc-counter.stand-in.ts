import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rpcResults } from '../../bench/rpc-shapes.ts';

/** One health check a node answered: which node (the URL path) and when it arrived. */
export interface CheckSeen {
  node: string;
  at: number;
}

export interface EthRpcCounter {
  /** `http://127.0.0.1:<port>/<node>`: the rpc_url of one node. */
  urlOf(node: string): string;
  /** Every check so far, in arrival order (a JSON-RPC batch that asks eth_blockNumber = one check). */
  checks: CheckSeen[];
  close(): Promise<void>;
}

/**
 * Many Ethereum nodes behind one loopback HTTP server, one per URL path, all on the same healthy
 * chain (geth 1.14.3, bench/rpc-shapes.ts answers), counting the checks each node gets. `delayMs`
 * holds every answer back so a sweep share takes long enough to be interrupted in the middle.
 */
export async function startEthRpcCounter(opts: { delayMs?: number } = {}): Promise<EthRpcCounter> {
  const checks: CheckSeen[] = [];
  const server: Server = createServer((req, res) => {
    const at = Date.now();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const node = (req.url ?? '/').slice(1);
      let calls: Array<{ id?: unknown; method?: unknown }> = [];
      let batch = false;
      try {
        const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof calls | (typeof calls)[number];
        batch = Array.isArray(parsed);
        calls = Array.isArray(parsed) ? parsed : [parsed];
      } catch {
        // answered with an empty batch below; the checker reports it
      }
      if (calls.some((c) => c.method === 'eth_blockNumber')) checks.push({ node, at });
      const results = rpcResults(Date.now(), 0);
      const answers = calls.map((c) => {
        const id = JSON.stringify(c.id ?? null);
        const r = typeof c.method === 'string' ? results[c.method] : undefined;
        return r === undefined ? `{"jsonrpc":"2.0","id":${id},"error":{"code":-32601,"message":"Method not found"}}` : `{"jsonrpc":"2.0","id":${id},"result":${r}}`;
      });
      const body = batch ? `[${answers.join(',')}]` : (answers[0] ?? '[]');
      setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(body), opts.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    urlOf: (node) => `http://127.0.0.1:${port}/${node}`,
    checks,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
