/**
 * The demo's stand-in for peer-to-peer sync. Ganache, anvil and Hardhat nodes have no p2p: each is its own chain, so a
 * node restarted by an upgrade would stay behind the others for good and page about lag. Every tick
 * this mines, on each node more than one block behind the highest, the blocks it lacks — as a real
 * node catching up with its peers would. Nodes that do not answer are skipped.
 */
export function startHeadLeveler(urls: () => string[], everyMs = 1_000): { stop(): void } {
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void level(urls()).finally(() => (busy = false));
  }, everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

async function level(urls: string[]): Promise<void> {
  const heights = await Promise.all(urls.map(async (url) => {
    const hex = await call(url, 'eth_blockNumber', []);
    return typeof hex === 'string' ? Number.parseInt(hex, 16) : undefined;
  }));
  const top = Math.max(...heights.filter((h): h is number => h !== undefined));
  if (!Number.isFinite(top)) return;
  await Promise.all(urls.map((url, i) => {
    const h = heights[i];
    return h !== undefined && top - h > 1 ? mine(url, top - h) : undefined;
  }));
}

/** Mines `n` blocks with plain `evm_mine` calls (ganache, anvil and Hardhat all have it; only ganache takes a count). */
async function mine(url: string, n: number): Promise<void> {
  for (let i = 0; i < Math.min(n, 64); i++) await call(url, 'evm_mine', []);
}

async function call(url: string, method: string, params: unknown[]): Promise<unknown> {
  try {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }), signal: AbortSignal.timeout(2_000) });
    return ((await res.json()) as { result?: unknown }).result;
  } catch {
    return undefined;
  }
}

/** True once every node answers and all heads are within `within` blocks of each other. */
export async function headsLevel(urls: string[], within = 2): Promise<boolean> {
  const heights = await Promise.all(urls.map(async (url) => {
    const hex = await call(url, 'eth_blockNumber', []);
    return typeof hex === 'string' ? Number.parseInt(hex, 16) : undefined;
  }));
  if (heights.some((h) => h === undefined)) return false;
  const hs = heights as number[];
  return Math.max(...hs) - Math.min(...hs) <= within;
}
