// Child process of bench/sweep.bench.ts: a light JSON-RPC responder on many loopback ports, so the
// measured sweep does not share its event loop with the servers. Answers go out as pre-serialised
// results spliced into the envelope, keeping the responder cheap next to what it measures.
// Usage (forked with IPC): PORTS=50 BLOCK_TXS=160 → sends { ports: number[] } once listening. While
// recording (IPC { record: file } … { stop: true }) it keeps every request it is sent — URL, headers,
// body, in arrival order — and writes them to `file`, so the raw ceiling can replay exactly the
// requests a ChainOps sweep sends, whatever the checkers ask for.
import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rpcResults } from './rpc-shapes.ts';

const count = Number(process.env.PORTS ?? 50);
const blockTxs = Number(process.env.BLOCK_TXS ?? 160);
let results = rpcResults(Date.now(), blockTxs);
// Fresh head and timestamps so the checked nodes never look stalled during a long run.
setInterval(() => (results = rpcResults(Date.now(), blockTxs)), 2_000).unref();

type Req = { id?: unknown; method?: unknown };
export interface RecordedRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}
let recording: RecordedRequest[] | undefined;
const KEPT_HEADERS = ['content-type', 'accept', 'authorization'];

function answer(req: Req): string {
  const id = JSON.stringify(req.id ?? null);
  const result = typeof req.method === 'string' ? results[req.method] : undefined;
  if (result === undefined) return `{"jsonrpc":"2.0","id":${id},"error":{"code":-32601,"message":"Method not found"}}`;
  return `{"jsonrpc":"2.0","id":${id},"result":${result}}`;
}

function handle(port: number, req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const raw = Buffer.concat(chunks).toString('utf8');
    if (recording) {
      const headers = Object.fromEntries(KEPT_HEADERS.flatMap((h) => (typeof req.headers[h] === 'string' ? [[h, req.headers[h] as string]] : [])));
      recording.push({ url: `http://127.0.0.1:${port}${req.url ?? '/'}`, headers, body: raw });
    }
    let body: string;
    try {
      const parsed = JSON.parse(raw) as Req | Req[];
      body = Array.isArray(parsed) ? `[${parsed.map(answer).join(',')}]` : answer(parsed);
    } catch {
      body = '{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}}';
    }
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
}

async function listen(): Promise<number> {
  let port = 0;
  const server = createServer((req, res) => handle(port, req, res));
  server.keepAliveTimeout = 120_000; // outlive the client's 30 s keep-alive: no reconnects mid-run
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  return port;
}

const ports = await Promise.all(Array.from({ length: count }, listen));
process.on('message', (m: { record?: string; stop?: boolean }) => {
  if (m.record) {
    recording = [];
    const file = m.record;
    process.once('message', () => {
      writeFileSync(file, JSON.stringify(recording));
      const n = recording?.length ?? 0;
      recording = undefined;
      process.send?.({ recorded: n });
    });
    process.send?.({ recording: true });
  }
});
process.send?.({ ports });
process.on('disconnect', () => process.exit(0));
