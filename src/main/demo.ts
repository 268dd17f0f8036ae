import { randomBytes } from 'node:crypto';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { DEMO_PLAYBOOK, DEMO_RESTART_PLAYBOOK, startDemoHosts } from '../../adapters/local/demo-hosts.ts';
import { startGanache } from '../../adapters/local/ganache.process.ts';
import { addChainTruth, DEMO_FORK_AHEAD_MS, startOtherClients, type DemoExtras } from './demo-clients.ts';
import { headsLevel, startHeadLeveler } from '../../adapters/local/head-leveler.ts';
import { startBlockProducer, startLitecoind } from '../../adapters/local/litecoind.process.ts';
import { startRedisServer } from '../../adapters/local/redis-server.process.ts';
import { waitFor } from '../../adapters/local/wait-for.ts';
import { runConsoleRole } from './console.role.ts';
import { createFileLogger } from './logger.ts';
import { packagePath } from '../package-root.ts';
import { createRuntime } from './runtime.ts';
import { thisMachineShape } from './demo-shape.ts';
import { ensureSystemPackages } from './system-packages.ts';
import { startWorkerRole } from './worker.role.ts';

const TEMPLATE = packagePath('examples', 'demo', 'chainops.yaml');
/** The demo's Ethereum nodes start on the older release; the fleet file wants the newer one. */
export const DEMO_ETH_OLD = '7.9.1';
export const DEMO_ETH_NEW = '7.9.2';

/** What the fleet file says about one node beyond its rpc_url (SSH access, Ansible variables). */
export type NodeExtras = Record<string, { ssh: object; ansible_vars: object }>;

interface EthNodes {
  urls: string[];
  /** Keep these nodes level with the ganache ones too (the demo's stand-in for p2p sync). */
  level(more: Record<string, string>): void;
  /** Set when the nodes can be upgraded: each node's SSH and Ansible settings, and the group's playbook. */
  upgradeable?: { nodes: NodeExtras; playbook: string; keyFile: string };
  stop(): Promise<void>;
}

/**
 * `chainops demo`: a whole fleet on this machine with no chat account — its own Redis (unless
 * REDIS_URL is set), 4 ganache nodes (eth-1..3 in prod, eth-4 in dev, so a promotion has a dev stage)
 * plus an anvil and a Hardhat node, a hard fork 10 minutes ahead, 2 peered litecoind regtest nodes
 * mining a block every 5 s, a worker (which also posts the static list's release 7.9.2), and the
 * console. Everything it started is stopped when it returns.
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
    const eth = await startEthNodes(dir, say);
    cleanups.push(eth.stop);
    const password = randomBytes(18).toString('base64url');
    process.env['CHAINOPS_SECRET_LTC_RPC_PASSWORD'] = password;
    // The release watch's first post waits for the first health sweep and is looked at again on the next
    // tick (60 s by default); the demo's source is a static list, so a 10 s tick costs nothing and shows
    // the release soon after the console opens.
    process.env['CHAINOPS_RELEASE_TICK_MS'] ??= '10000';
    const ltc1 = await startLitecoind({ rpcUser: 'chainops', rpcPassword: password });
    cleanups.push(ltc1.stop);
    const ltc2 = await startLitecoind({ rpcUser: 'chainops', rpcPassword: password, peers: [ltc1.p2pPort] });
    cleanups.push(ltc2.stop);
    await ltc1.generate(10);
    await waitFor(async () => ((await ltc2.call('getblockcount')) as number) >= 10, { timeoutMs: 30_000, what: 'litecoind peers to sync' });
    const producer = startBlockProducer(ltc1, 5_000, (err) => say(`block producer: ${String(err)}`));
    cleanups.push(producer.stop);

    const urls: Record<string, string> = {
      'eth-1': eth.urls[0]!, 'eth-2': eth.urls[1]!, 'eth-3': eth.urls[2]!, 'eth-4': eth.urls[3]!, 'ltc-1': ltc1.rpcUrl, 'ltc-2': ltc2.rpcUrl,
    };
    const fleetPath = join(dir, 'chainops.yaml');
    const more = await startOtherClients(say);
    cleanups.push(more.stop);
    eth.level(more.urls);
    // The first status should not show the new nodes lagging while the leveler catches them up.
    await waitFor(() => headsLevel([...eth.urls, ...Object.values(more.urls)]), { timeoutMs: 30_000, what: 'the Ethereum nodes to be level' }).catch(() => undefined);
    await writeFile(fleetPath, await demoFleet(urls, eth.upgradeable, { clients: more.urls, forkAt: Date.now() + DEMO_FORK_AHEAD_MS }));
    const logPath = join(dir, 'chainops.log');
    const logger = createFileLogger(process.env['LOG_LEVEL'] ?? 'info', logPath);
    const rt = await createRuntime({ redisUrl, prefix: `demo-${randomBytes(3).toString('hex')}`, fleetPath, logger });
    cleanups.push(() => rt.close());
    if (eth.upgradeable) process.env['CHAINOPS_SSH_KEY_FILE'] = eth.upgradeable.keyFile; // host facts and `run` over SSH
    const worker = await startWorkerRole(rt, { concurrency: 4, ...(eth.upgradeable ? { sshKeyFile: eth.upgradeable.keyFile } : {}) });
    cleanups.push(() => worker.close());
    say(`fleet file: ${fleetPath} (from examples/demo/chainops.yaml) · logs: ${logPath}`);
    if (opts.exec === undefined) {
      say('Type /chainops help. Users: alice (admin), bob (approver), carol (operator); switch with /as bob or add --as bob. Ctrl-D or exit quits.');
      say(`ethereum/devnet runs ${Object.keys(more.urls).length ? 'ganache ×4 (eth-1..3 in prod, eth-4 in dev), anvil and hardhat' : 'ganache ×4 (eth-1..3 in prod, eth-4 in dev)'}: /chainops status shows the client mix and the countdown to the osaka fork; /chainops forks lists the nodes not ready for it.`);
      say(`A release arrives: once the first health sweep is in, the release watch posts "New ganache release ${DEMO_ETH_NEW} for eth-devnet" (a static list in the fleet file) with buttons Upgrade dev, Start promotion and Ignore; /chainops releases lists what it knows.`);
      if (eth.upgradeable) {
        say(`The Ethereum nodes run ganache ${DEMO_ETH_OLD}, the fleet wants ${DEMO_ETH_NEW}: try /chainops drift, then either`);
        say(`  promote it: /chainops promotion start eth-devnet ${DEMO_ETH_NEW} --as carol — dev (eth-4) rolls by itself and soaks 20 s, then prod's approval card appears: carol cannot approve her own change, /chainops approve <ap-id> --as bob can; /chainops promotion status follows it;`);
        say(`  or upgrade prod directly: /chainops upgrade eth-devnet ${DEMO_ETH_NEW} --env prod --as carol and approve as bob.`);
      }
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

/**
 * The template fleet with each node's rpc_url pointing at where the demo started it; with `upgradeable`,
 * the Ethereum nodes also get their SSH and Ansible settings and the group its playbook.
 */
export async function demoFleet(urls: Record<string, string>, upgradeable?: { nodes: NodeExtras; playbook: string }, extra: DemoExtras = {}): Promise<string> {
  const doc = parseDocument(await readFile(TEMPLATE, 'utf8'));
  addChainTruth(doc, extra);
  const nodes = doc.get('nodes') as { items: Array<{ get(k: string): unknown; set(k: string, v: unknown): void }> };
  for (const node of nodes.items) {
    const name = String(node.get('name'));
    const url = urls[name];
    if (url) node.set('rpc_url', url);
    const extras = upgradeable?.nodes[name];
    if (extras) {
      node.set('ssh', doc.createNode(extras.ssh, { flow: true }));
      node.set('ansible_vars', doc.createNode(extras.ansible_vars, { flow: true }));
    }
  }
  if (upgradeable) {
    doc.setIn(['groups', 'eth-devnet', 'playbook'], upgradeable.playbook);
    // Its nodes are SSH hosts on this machine: want what they run on, so drift shows real drift only.
    doc.setIn(['groups', 'eth-devnet', 'shape'], doc.createNode(thisMachineShape(), { flow: true }));
    // A node that died can be brought back from chat: the alert's "Restart node" runs this playbook.
    const actions = (doc.getIn(['alerts', 'actions']) as { toJSON(): unknown[] } | undefined)?.toJSON() ?? [];
    doc.setIn(['alerts', 'actions'], doc.createNode([...actions, { name: 'restart', playbook: 'restart.yml', groups: ['eth-devnet'], timeout: '2m' }]));
  }
  return doc.toString();
}

/**
 * Four Ethereum nodes (eth-1..4). Where sshd and Ansible are available, each is a throwaway SSH host on loopback
 * whose ganache the demo playbook can upgrade (releases fetched once from the npm registry), kept level
 * with its peers as p2p sync would; otherwise three plain ganache processes (upgrades then stop at "no
 * playbook").
 */
async function startEthNodes(dir: string, say: (line: string) => void): Promise<EthNodes> {
  if (ensureSystemPackages(['openssh-server', 'openssh-client', 'ansible-core'], say)) {
    try {
      // eth-1..3 are the prod nodes, eth-4 the dev one (the fleet file says which is which).
      const hosts = await startDemoHosts({ count: 4, version: DEMO_ETH_OLD, releases: [DEMO_ETH_OLD, DEMO_ETH_NEW], prefix: 'eth' });
      const others: string[] = [];
      const leveler = startHeadLeveler(() => [...hosts.hosts.map((h) => h.rpcUrl), ...others]);
      await copyFile(DEMO_PLAYBOOK, join(dir, 'upgrade.yml'));
      await copyFile(DEMO_RESTART_PLAYBOOK, join(dir, 'restart.yml'));
      return {
        urls: hosts.hosts.map((h) => h.rpcUrl),
        level: (more) => void others.push(...Object.values(more)),
        upgradeable: { nodes: Object.fromEntries(hosts.hosts.map((h) => [h.name, hosts.settings(h)])), playbook: 'upgrade.yml', keyFile: hosts.keyFile },
        async stop() {
          leveler.stop();
          await hosts.stop();
        },
      };
    } catch (err) {
      say(`rolling upgrades are off in this demo (${err instanceof Error ? err.message.split('\n')[0] : String(err)}); the Ethereum nodes run without SSH`);
    }
  } else {
    say('rolling upgrades are off in this demo (they need sshd and ansible-playbook); the Ethereum nodes run without SSH');
  }
  const eth = await Promise.all([0, 1, 2, 3].map(() => startGanache({ blockTimeSec: 2, chainId: 1337 })));
  const others: string[] = [];
  const leveler = startHeadLeveler(() => [...eth.map((g) => g.url), ...others]);
  return {
    urls: eth.map((g) => g.url),
    level: (more) => void others.push(...Object.values(more)),
    stop: async () => {
      leveler.stop();
      await Promise.all(eth.map((g) => g.stop()));
    },
  };
}
