import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { startGanache } from '../../adapters/local/ganache.process.ts';
import { startBlockProducer, startLitecoind } from '../../adapters/local/litecoind.process.ts';
import { startRedisServer } from '../../adapters/local/redis-server.process.ts';
import { waitFor } from '../../adapters/local/wait-for.ts';
import { runConsoleRole } from './console.role.ts';
import { createFileLogger } from './logger.ts';
import { packagePath } from '../package-root.ts';
import { createRuntime } from './runtime.ts';
import { ensureSystemPackages } from './system-packages.ts';
import { startWorkerRole } from './worker.role.ts';

const TEMPLATE = packagePath('examples', 'demo', 'chainops.yaml');

/**
 * `chainops demo`: a whole fleet on this machine with no chat account — its own Redis (unless
 * REDIS_URL is set), 3 ganache nodes, 2 peered litecoind regtest nodes mining a block every 5 s,
 * a worker, and the console. Everything it started is stopped when it returns.
 */
export async function runDemo(opts: { exec?: string; as: string }): Promise<number> {
  const say = (line: string) => process.stderr.write(`${line}\n`);
  if (!ensureSystemPackages(process.env['REDIS_URL'] ? ['litecoind'] : ['redis-server', 'litecoind'], say)) return 1;
  const dir = await mkdtemp(join(tmpdir(), 'chainops-demo-'));
  const cleanups: Array<() => Promise<unknown>> = [];
  const cleanup = async () => {
    for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  };
  const onSignal = () => void cleanup().then(() => process.exit(130));
  process.once('SIGTERM', onSignal);
  try {
    say('starting the demo fleet…');
    let redisUrl = process.env['REDIS_URL'];
    if (!redisUrl) {
      const redis = await startRedisServer({ appendonly: false });
      cleanups.push(redis.stop);
      redisUrl = redis.url;
    }
    const eth = await Promise.all([0, 1, 2].map(() => startGanache({ blockTimeSec: 2, chainId: 1337 })));
    eth.forEach((g) => cleanups.push(g.stop));
    const password = randomBytes(18).toString('base64url');
    process.env['LTC_RPC_PASSWORD'] = password;
    const ltc1 = await startLitecoind({ rpcUser: 'chainops', rpcPassword: password });
    cleanups.push(ltc1.stop);
    const ltc2 = await startLitecoind({ rpcUser: 'chainops', rpcPassword: password, peers: [ltc1.p2pPort] });
    cleanups.push(ltc2.stop);
    await ltc1.generate(10);
    await waitFor(async () => ((await ltc2.call('getblockcount')) as number) >= 10, { timeoutMs: 30_000, what: 'litecoind peers to sync' });
    const producer = startBlockProducer(ltc1, 5_000, (err) => say(`block producer: ${String(err)}`));
    cleanups.push(producer.stop);

    const urls: Record<string, string> = {
      'eth-1': eth[0]!.url, 'eth-2': eth[1]!.url, 'eth-3': eth[2]!.url, 'ltc-1': ltc1.rpcUrl, 'ltc-2': ltc2.rpcUrl,
    };
    const fleetPath = join(dir, 'chainops.yaml');
    await writeFile(fleetPath, await demoFleet(urls));
    const logPath = join(dir, 'chainops.log');
    const logger = createFileLogger(process.env['LOG_LEVEL'] ?? 'info', logPath);
    const rt = await createRuntime({ redisUrl, prefix: `demo-${randomBytes(3).toString('hex')}`, fleetPath, logger });
    cleanups.push(() => rt.close());
    const worker = await startWorkerRole(rt, { concurrency: 4 });
    cleanups.push(() => worker.close());
    say(`fleet file: ${fleetPath} (from examples/demo/chainops.yaml) · logs: ${logPath}`);
    if (opts.exec === undefined) {
      say('Type /chainops help. Users: alice (admin), bob (approver), carol (operator); switch with /as bob or add --as bob. Ctrl-D or exit quits.');
    }
    return await runConsoleRole(rt, { user: opts.as, ...(opts.exec !== undefined ? { exec: opts.exec } : {}) });
  } catch (err) {
    say(`✖ demo failed: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  } finally {
    process.off('SIGTERM', onSignal);
    await cleanup();
  }
}

/** The template fleet with each node's rpc_url pointing at where the demo started it. */
export async function demoFleet(urls: Record<string, string>): Promise<string> {
  const doc = parseDocument(await readFile(TEMPLATE, 'utf8'));
  const nodes = doc.get('nodes') as { items: Array<{ get(k: string): unknown; set(k: string, v: unknown): void }> };
  for (const node of nodes.items) {
    const url = urls[String(node.get('name'))];
    if (url) node.set('rpc_url', url);
  }
  return doc.toString();
}
