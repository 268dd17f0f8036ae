import type { IncomingMessage } from 'node:http';

/**
 * The raw request body (signatures cover the exact bytes), or undefined once it passes `limit` —
 * by its declared Content-Length or by what arrived; the rest is not read.
 */
export async function readLimitedBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
