import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port.ts';
import { exitedWith, keepTail, killWithParent, waitFor, waitForExit } from './wait-for.ts';

const run = promisify(execFile);
const SSHD_BIN = '/usr/sbin/sshd';

/** A throwaway sshd on a loopback port with its own host key and client key (tests and demos only). */
export interface SshdHost {
  host: '127.0.0.1';
  port: number;
  /** The user the client key logs in as (the user running the tests). */
  user: string;
  /** Private key file for clients (ed25519, no passphrase). */
  keyFile: string;
  /** The host's public key as an OpenSSH line, `ssh-ed25519 AAAA…`: pin it, never accept any key. */
  hostKey: string;
  /** A scratch dir of this host's own (its "filesystem root" for playbooks in tests). */
  root: string;
  readonly pid: number;
  stop(): Promise<void>;
}

export interface SshdOptions {
  /** Parent dir for keys, config and the host's root; default a new temp dir removed by `stop()`. */
  dir?: string;
  /** Reuse this client key pair (so several hosts accept one key); default a new one per host. */
  clientKeyFile?: string;
}

/**
 * Start `sshd -D -f <own config>` on 127.0.0.1. The machine's own sshd and its config are never
 * touched: host key, authorized_keys, pid file and config all live in the host's dir.
 */
export async function startSshd(opts: SshdOptions = {}): Promise<SshdHost> {
  const dir = opts.dir ?? (await mkdtemp(join(tmpdir(), 'chainops-sshd-')));
  const owned = opts.dir === undefined;
  mkdirSync(dir, { recursive: true });
  mkdirSync('/run/sshd', { recursive: true });
  const hostKeyFile = join(dir, 'ssh_host_ed25519_key');
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'chainops-test-host', '-f', hostKeyFile]);
  let keyFile = opts.clientKeyFile;
  if (!keyFile) {
    keyFile = join(dir, 'client_ed25519');
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'chainops-test-client', '-f', keyFile]);
  }
  const authorized = join(dir, 'authorized_keys');
  writeFileSync(authorized, readFileSync(`${keyFile}.pub`, 'utf8'), { mode: 0o600 });
  const root = join(dir, 'root');
  mkdirSync(root, { recursive: true });
  const hostKey = readFileSync(`${hostKeyFile}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
  const user = userInfo().username;

  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const config = join(dir, 'sshd_config');
    writeFileSync(config, [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKeyFile}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${authorized}`,
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'PermitRootLogin prohibit-password',
      'UsePAM no',
      // Keys live under a temp dir that is world-writable higher up.
      'StrictModes no',
      'MaxStartups 100:30:200',
      'MaxSessions 50',
      'LogLevel ERROR',
      'Subsystem sftp internal-sftp',
      '',
    ].join('\n'));
    const child: ChildProcess = spawn(SSHD_BIN, ['-D', '-e', '-f', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    const output = keepTail(child);
    killWithParent(child);
    try {
      await waitFor(() => accepts(port), { what: `sshd on port ${port}`, timeoutMs: 10_000, failIf: () => exitedWith(child, output) });
    } catch (err) {
      child.kill('SIGKILL');
      await waitForExit(child, 2_000);
      if (attempt < 2) continue;
      throw err;
    }
    return {
      host: '127.0.0.1', port, user, keyFile, hostKey, root,
      get pid() { return child.pid ?? -1; },
      async stop() {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        await waitForExit(child, 5_000);
        if (owned) await rm(dir, { recursive: true, force: true });
      },
    };
  }
}

/** True once the port answers with an SSH banner. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createConnection({ host: '127.0.0.1', port });
    const done = (ok: boolean) => { sock.destroy(); resolve(ok); };
    sock.setTimeout(500, () => done(false));
    sock.once('error', () => done(false));
    sock.once('data', (d) => done(d.toString().startsWith('SSH-')));
  });
}
