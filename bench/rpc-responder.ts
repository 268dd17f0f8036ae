// Child process of bench/sweep.bench.ts: a light JSON-RPC responder on many loopback ports, so the
// measured sweep does not share its event loop with the servers. Answers go out as pre-serialised
// results spliced into the envelope, keeping the responder cheap next to what it measures.
// Usage (forked with IPC): PORTS=50 → sends { ports: number[] } to the parent once listening.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rpcResults } from './rpc-shapes.ts';

const count = Number(process.env.PORTS ?? 50);
let results = rpcResults(Date.now());
// Fresh head and timestamps so the checked nodes never look stalled during a long run.
setInterval(() => (results = rpcResults(Date.now())), 2_000).unref();

type Req = { id?: unknown; method?: unknown };

function answer(req: Req): string {
  const id = JSON.stringify(req.id ?? null);
  const result = typeof req.method === 'string' ? results[req.method] : undefined;
  if (result === undefined) return `{"jsonrpc":"2.0","id":${id},"error":{"code":-32601,"message":"Method not found"}}`;
  return `{"jsonrpc":"2.0","id":${id},"result":${result}}`;
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    let body: string;
    try {
      const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Req | Req[];
      body = Array.isArray(parsed) ? `[${parsed.map(answer).join(',')}]` : answer(parsed);
    } catch {
      body = '{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}}';
    }
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
}

async function listen(): Promise<number> {
  const server = createServer(handle);
  server.keepAliveTimeout = 120_000; // outlive the client's 30 s keep-alive: no reconnects mid-run
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

const ports = await Promise.all(Array.from({ length: count }, listen));
process.send?.({ ports });
process.on('disconnect', () => process.exit(0));
