import { readFile } from 'node:fs/promises';
import { NodeSSH } from 'node-ssh';
import { ChainopsError, errorMessage } from '../../src/errors.ts';
import type { FleetNode } from '../../src/fleet/fleet.schema.ts';
import { NAME_RE } from '../../src/fleet/names.ts';
import type { HostFacts, SshResult, SshRunner } from '../../src/ports/ssh.port.ts';
import { hostFactsScript, parseHostFacts } from './host-facts.script.ts';
import { fingerprint, parseHostKey } from './host-key.ts';
import { joinArgv } from './shell-quote.ts';

export interface NodeSshRunnerOptions {
  /** Private key file (OpenSSH format). @defaultValue env CHAINOPS_SSH_KEY_FILE — never the fleet file, never logged */
  keyFile?: string;
  /** Where CHAINOPS_SSH_KEY_FILE is read. @defaultValue process.env */
  env?: NodeJS.ProcessEnv;
  /** TCP connect plus SSH handshake. @defaultValue 10 000 */
  connectTimeoutMs?: number;
}

/** Output kept per stream; the tail is what matters for a failing command. */
const MAX_OUTPUT = 64 * 1024;

/**
 * SshRunner on node-ssh: one connection per command (commands are rare: remediation, diagnostics,
 * host facts on a slow schedule), the host key always pinned to the node's `ssh.host_key`.
 */
export class NodeSshRunner implements SshRunner {
  readonly #opts: NodeSshRunnerOptions;

  /** See {@link NodeSshRunnerOptions}. */
  constructor(opts: NodeSshRunnerOptions = {}) {
    this.#opts = opts;
  }

  async run(node: FleetNode, argv: readonly string[], opts: { timeoutMs?: number } = {}): Promise<SshResult> {
    return this.#exec(node, joinArgv(argv), opts.timeoutMs ?? 120_000);
  }

  async hostFacts(node: FleetNode, opts: { timeoutMs?: number; path?: string } = {}): Promise<HostFacts> {
    const r = await this.#exec(node, hostFactsScript(opts.path), opts.timeoutMs ?? 20_000);
    if (r.timedOut) throw new ChainopsError('unavailable', `host facts of ${node.name}: no answer within ${opts.timeoutMs ?? 20_000} ms`);
    if (r.code !== 0) throw new ChainopsError('rpc_error', `host facts of ${node.name}: the script exited ${r.code ?? 'without a code'}: ${r.stderr.slice(-200)}`);
    return parseHostFacts(r.stdout);
  }

  async #privateKey(): Promise<string> {
    const file = this.#opts.keyFile ?? (this.#opts.env ?? process.env)['CHAINOPS_SSH_KEY_FILE'];
    if (!file) throw new ChainopsError('config_missing', 'no SSH key: set CHAINOPS_SSH_KEY_FILE to the private key file the workers log in with');
    try {
      return await readFile(file, 'utf8');
    } catch (err) {
      // The path is left out on purpose: key locations stay out of chat and logs.
      throw new ChainopsError('config_missing', `cannot read the SSH private key named by CHAINOPS_SSH_KEY_FILE (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }

  async #exec(node: FleetNode, command: string, timeoutMs: number): Promise<SshResult> {
    if (!NAME_RE.test(node.name)) throw new ChainopsError('config_invalid', 'node name is not valid');
    const ssh = node.ssh;
    if (!ssh) throw new ChainopsError('config_invalid', `${node.name} has no ssh: settings in the fleet file`);
    if (!ssh.host_key) {
      throw new ChainopsError('config_invalid', `${node.name} has no ssh.host_key: ChainOps never connects to a host it cannot verify — add the line from \`ssh-keyscan -t ed25519 ${ssh.host}\``);
    }
    const pinned = parseHostKey(ssh.host_key, `nodes[${node.name}]`);
    const client = new NodeSSH();
    let offered: string | undefined;
    try {
      await client.connect({
        host: ssh.host,
        port: ssh.port,
        username: ssh.user,
        privateKey: await this.#privateKey(),
        readyTimeout: this.#opts.connectTimeoutMs ?? 10_000,
        tryKeyboard: false,
        // ssh2 hands the raw key blob to the verifier when no hostHash is set.
        hostVerifier: (key: Buffer) => {
          const ok = Buffer.isBuffer(key) && key.equals(pinned.blob);
          if (!ok) offered = Buffer.isBuffer(key) ? fingerprint(key) : 'an unreadable key';
          return ok;
        },
      });
    } catch (err) {
      client.dispose();
      if (offered) {
        throw new ChainopsError('forbidden', `host key mismatch for ${node.name} (${ssh.host}:${ssh.port}): it offered ${offered}, the fleet file pins ${pinned.fingerprint} — refusing to connect. If the host was rebuilt, update its ssh.host_key.`);
      }
      if (err instanceof ChainopsError) throw err;
      throw new ChainopsError('unavailable', `cannot SSH to ${node.name} (${ssh.user}@${ssh.host}:${ssh.port}): ${errorMessage(err)}`);
    }
    return this.#command(client, command, timeoutMs);
  }

  async #command(client: NodeSSH, command: string, timeoutMs: number): Promise<SshResult> {
    const started = performance.now();
    let stdout = '';
    let stderr = '';
    const keep = (buf: string, chunk: Buffer) => (buf + chunk.toString('utf8')).slice(-MAX_OUTPUT);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    try {
      const exec = client.execCommand(command, {
        noTrim: true,
        onStdout: (c) => void (stdout = keep(stdout, c)),
        onStderr: (c) => void (stderr = keep(stderr, c)),
      });
      const r = await Promise.race([exec, timedOut]);
      const durationMs = Math.round(performance.now() - started);
      if (r === 'timeout') {
        exec.catch(() => undefined); // the connection is closed below; its rejection is expected
        return { code: null, stdout, stderr: `${stderr}\n(stopped waiting after ${timeoutMs} ms; the connection was closed)`.trim(), durationMs, timedOut: true };
      }
      return { code: r.code, stdout, stderr, durationMs, timedOut: false };
    } catch (err) {
      throw new ChainopsError('unavailable', `the SSH command failed: ${errorMessage(err)}`);
    } finally {
      clearTimeout(timer);
      client.dispose();
    }
  }
}
