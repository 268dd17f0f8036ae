import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { packagePath } from '../../src/package-root.ts';
import { freePort } from './free-port.ts';
import { prepareGanacheReleases } from './ganache-releases.ts';
import { startSshd, type SshdHost } from './sshd.process.ts';
import { waitFor } from './wait-for.ts';

const run = promisify(execFile);
export const DEMO_PLAYBOOK = packagePath('examples', 'ansible', 'demo-node-upgrade.yml');
/** The demo's `restart` action: the node again on the version it has now. */
export const DEMO_RESTART_PLAYBOOK = packagePath('examples', 'ansible', 'demo-node-restart.yml');
const NODECTL = packagePath('examples', 'ansible', 'files', 'demo-nodectl.sh');

export interface DemoHost {
  name: string;
  ssh: SshdHost;
  rpcPort: number;
  rpcUrl: string;
}

export interface DemoHosts {
  dir: string;
  releases: string;
  keyFile: string;
  hosts: DemoHost[];
  /** The fleet file's `nodes:` entries for these hosts (YAML). */
  nodesYaml(group: string, env: string): string;
  /** Per host, the `ssh:` and `ansible_vars:` settings of its fleet-file entry. */
  settings(h: DemoHost): { ssh: { host: string; port: number; user: string; host_key: string }; ansible_vars: Record<string, string | number> };
  stop(): Promise<void>;
}

/**
 * N throwaway sshd hosts on loopback, each with a demo node (ganache from a versioned directory
 * behind a `current` symlink, as the demo playbook installs it) already running `version`.
 */
export async function startDemoHosts(opts: { count: number; version: string; releases: string[]; mislabelled?: Record<string, string>; prefix?: string }): Promise<DemoHosts> {
  const releases = await prepareGanacheReleases({ versions: opts.releases, ...(opts.mislabelled ? { mislabelled: opts.mislabelled } : {}) });
  const dir = await mkdtemp(join(tmpdir(), 'chainops-hosts-'));
  const keyFile = join(dir, 'client_ed25519');
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'chainops-test', '-f', keyFile]);
  const hosts: DemoHost[] = [];
  let started: SshdHost[] = [];
  try {
    started = await Promise.all(Array.from({ length: opts.count }, (_, i) => startSshd({ dir: join(dir, `host-${i + 1}`), clientKeyFile: keyFile })));
    // One node at a time: several ganache start-ups at once on a busy 2-core machine time out, and a
    // port picked free can be taken by another test before the node binds it (then: a new port).
    for (const [i, ssh] of started.entries()) {
      const name = `${opts.prefix ?? 'node'}-${i + 1}`;
      for (let attempt = 1; ; attempt++) {
        const rpcPort = await freePort();
        const host = { name, ssh, rpcPort, rpcUrl: `http://127.0.0.1:${rpcPort}` };
        try {
          await installAndStart(host, releases, opts.version);
          hosts.push(host);
          break;
        } catch (err) {
          await run(join(ssh.root, 'bin/nodectl'), ['stop', ssh.root, String(rpcPort)]).catch(() => undefined);
          if (attempt >= 3) {
            await ssh.stop().catch(() => undefined);
            throw err;
          }
        }
      }
    }
  } catch (err) {
    await stopAll(hosts, dir);
    await Promise.all(started.map((s) => s.stop().catch(() => undefined)));
    throw err;
  }
  const settings = (h: DemoHost) => ({
    ssh: { host: '127.0.0.1', port: h.ssh.port, user: h.ssh.user, host_key: h.ssh.hostKey },
    ansible_vars: { demo_root: h.ssh.root, demo_rpc_port: h.rpcPort, demo_artifacts: releases, demo_node_bin: process.execPath, ansible_python_interpreter: '/usr/bin/python3' },
  });
  return {
    dir, releases, keyFile, hosts, settings,
    nodesYaml: (group, env) => hosts.map((h) => [
      `  - name: ${h.name}`,
      `    group: ${group}`,
      `    env: ${env}`,
      `    rpc_url: ${h.rpcUrl}`,
      `    ssh: ${JSON.stringify(settings(h).ssh)}`,
      `    ansible_vars: ${JSON.stringify(settings(h).ansible_vars)}`,
    ].join('\n')).join('\n'),
    stop: () => stopAll(hosts, dir),
  };
}

/** Lay the host out exactly as the playbook would, then start the node (no Ansible: fast setup). */
async function installAndStart(h: DemoHost, releases: string, version: string): Promise<void> {
  const root = h.ssh.root;
  mkdirSync(join(root, 'versions'), { recursive: true });
  mkdirSync(join(root, 'bin'), { recursive: true });
  rmSync(join(root, 'versions', version), { force: true });
  rmSync(join(root, 'current'), { force: true });
  symlinkSync(join(releases, `ganache-${version}`), join(root, 'versions', version));
  symlinkSync(join(root, 'versions', version), join(root, 'current'));
  copyFileSync(NODECTL, join(root, 'bin/nodectl'));
  await run('chmod', ['0755', join(root, 'bin/nodectl')]);
  await run(join(root, 'bin/nodectl'), ['start', root, String(h.rpcPort), process.execPath]);
  await waitFor(() => clientVersion(h.rpcUrl), { what: `demo node ${h.name} on ${h.rpcPort}`, timeoutMs: 45_000 });
}

/** `web3_clientVersion` of a node, straight over JSON-RPC (tests compare what the bot saw with this). */
export async function clientVersion(url: string): Promise<string | undefined> {
  try {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'web3_clientVersion', params: [] }), signal: AbortSignal.timeout(2_000) });
    const body = (await res.json()) as { result?: string };
    return body.result;
  } catch {
    return undefined;
  }
}

async function stopAll(hosts: DemoHost[], dir: string): Promise<void> {
  await Promise.all(hosts.map(async (h) => {
    await run(join(h.ssh.root, 'bin/nodectl'), ['stop', h.ssh.root, String(h.rpcPort)]).catch(() => undefined);
    await h.ssh.stop().catch(() => undefined);
  }));
  await rm(dir, { recursive: true, force: true });
}
