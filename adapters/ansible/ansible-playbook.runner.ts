import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, isAbsolute, join } from 'node:path';
import { createInterface } from 'node:readline';
import { stringify } from 'yaml';
import { ChainopsError, UserError } from '../../src/errors.ts';
import { NAME_RE } from '../../src/fleet/names.ts';
import { packagePath } from '../../src/package-root.ts';
import { ansibleInventory, knownHosts } from '../../src/inventory/ansible-inventory.ts';
import type { PlaybookEvent, PlaybookRequest, PlaybookResult, PlaybookRunner } from '../../src/ports/playbook.port.ts';
import { parsePlaybookEvent } from './playbook-event.ts';
import { toolEnv } from '../../src/secrets/tool-env.ts';

const CALLBACK_DIR = packagePath('adapters', 'ansible', 'callback_plugins');

export interface AnsibleRunnerOptions {
  /** ansible-playbook binary. @defaultValue `ansible-playbook` on PATH */
  bin?: string;
  /** Private key for SSH; from `CHAINOPS_SSH_KEY_FILE`. Never logged, never in job data. */
  privateKeyFile?: string;
  /** Parallel hosts per run (`--forks`). @defaultValue 10 */
  forks?: number;
}

/**
 * Runs `ansible-playbook` with an argument array: a generated inventory and known_hosts file, the
 * extra vars as a JSON file, `--limit` with validated node names, and the JSONL callback for progress.
 * The child gets only a minimal environment (no chat tokens) and dies with this process.
 */
export class AnsiblePlaybookRunner implements PlaybookRunner {
  readonly #opts: AnsibleRunnerOptions;

  constructor(opts: AnsibleRunnerOptions = {}) {
    this.#opts = opts;
  }

  async run(req: PlaybookRequest): Promise<PlaybookResult> {
    validate(req);
    const dir = await mkdtemp(join(tmpdir(), 'chainops-ansible-'));
    try {
      const { inventory } = ansibleInventory(req.fleet, req.nodes);
      const kh = knownHosts(req.nodes);
      await writeFile(join(dir, 'inventory.yml'), stringify(inventory), { mode: 0o600 });
      await writeFile(join(dir, 'known_hosts'), kh.text, { mode: 0o600 });
      await writeFile(join(dir, 'vars.json'), JSON.stringify(req.extraVars), { mode: 0o600 });
      const args = [
        '-i', join(dir, 'inventory.yml'),
        '--limit', req.nodes.map((n) => n.name).join(','),
        '-e', `@${join(dir, 'vars.json')}`,
        '--forks', String(this.#opts.forks ?? 10),
        ...(req.check ? ['--check', '--diff'] : []),
        req.playbook,
      ];
      return await this.#spawn(args, dir, req);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  #spawn(args: string[], dir: string, req: PlaybookRequest): Promise<PlaybookResult> {
    const env: NodeJS.ProcessEnv = toolEnv('ansible');
    Object.assign(env, {
      ANSIBLE_STDOUT_CALLBACK: 'chainops_jsonl',
      ANSIBLE_CALLBACK_PLUGINS: CALLBACK_DIR,
      ANSIBLE_LOAD_CALLBACK_PLUGINS: '1',
      ANSIBLE_HOST_KEY_CHECKING: 'True',
      // Connections are reused within this run only: the control sockets live in this run's temp dir,
      // so every run checks host keys afresh (a master reused across runs skipped a new host-key check).
      ANSIBLE_SSH_ARGS: `-o ControlMaster=auto -o ControlPersist=15s -o ControlPath=${join(dir, 'cp-%C')} -o UserKnownHostsFile=${join(dir, 'known_hosts')} -o StrictHostKeyChecking=yes -o BatchMode=yes -o ConnectTimeout=10`,
      ANSIBLE_PIPELINING: 'True',
      ANSIBLE_NOCOLOR: '1',
      ANSIBLE_RETRY_FILES_ENABLED: 'False',
      ANSIBLE_LOCAL_TEMP: join(dir, 'tmp'),
      ANSIBLE_PYTHON_INTERPRETER: 'auto_silent',
      ANSIBLE_DEPRECATION_WARNINGS: 'False',
      ANSIBLE_CONFIG: join(dir, 'none.cfg'),
      ...(this.#opts.privateKeyFile ? { ANSIBLE_PRIVATE_KEY_FILE: this.#opts.privateKeyFile } : {}),
    });
    const bin = this.#opts.bin ?? 'ansible-playbook';
    // Found first: behind setpriv a missing binary would only show as exit 127, like a failed play.
    const found = bin.includes('/') ? bin : onPath(bin);
    if (!found) return Promise.reject(new ChainopsError('unavailable', `could not start ${bin}: not found on PATH — install ansible-core (apt-get install ansible-core)`));
    // setpriv --pdeathsig: if the worker is SIGKILLed, ansible-playbook dies too instead of acting on its own.
    const [cmd, argv] = existsSync('/usr/bin/setpriv') ? ['/usr/bin/setpriv', ['--pdeathsig', 'KILL', '--', found, ...args]] : [found, args];
    return new Promise((resolve, reject) => {
      const child = spawn(cmd, argv, { env, stdio: ['ignore', 'pipe', 'pipe'] });
      const result: PlaybookResult = { rc: -1, ok: false, hosts: {}, failures: [], diffs: [] };
      const timer = setTimeout(() => child.kill('SIGTERM'), req.timeoutMs ?? 30 * 60_000);
      const onEvent = (e: PlaybookEvent) => {
        if ((e.event === 'failed' || e.event === 'unreachable') && e.host) {
          result.failures.push({ host: e.host, task: e.task ?? '?', msg: e.msg ?? e.event });
        }
        if (e.diff && e.host) result.diffs.push({ host: e.host, task: e.task ?? '?', diff: e.diff });
        if (e.event === 'stats' && e.hosts) result.hosts = e.hosts;
        req.onEvent?.(e);
      };
      createInterface({ input: child.stdout }).on('line', (line) => {
        const event = parsePlaybookEvent(line);
        req.onLine?.(event ? formatEvent(event) : line);
        if (event) onEvent(event);
      });
      createInterface({ input: child.stderr }).on('line', (line) => req.onLine?.(`stderr: ${line}`));
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(new ChainopsError('unavailable', `could not start ${bin}: ${err.message} — install ansible-core (apt-get install ansible-core)`));
      });
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        result.rc = code ?? (signal ? 128 : -1);
        result.ok = result.rc === 0;
        resolve(result);
      });
    });
  }
}

/** Refuse anything odd before a process starts. */
function validate(req: PlaybookRequest): void {
  if (!isAbsolute(req.playbook) || !existsSync(req.playbook) || !statSync(req.playbook).isFile()) {
    throw new UserError('config_invalid', `playbook ${req.playbook} does not exist — fix \`playbook:\` of the group in the fleet file`);
  }
  if (req.nodes.length === 0) throw new ChainopsError('internal', 'a playbook run needs at least one host');
  for (const n of req.nodes) {
    if (!NAME_RE.test(n.name)) throw new UserError('parse_error', `node name ${JSON.stringify(n.name)} is not allowed`);
    if (!n.ssh) throw new UserError('config_invalid', `node ${n.name} has no \`ssh:\` in the fleet file — Ansible cannot reach it`);
    if (!n.ssh.host_key) throw new UserError('config_invalid', `node ${n.name} has no \`ssh.host_key\` — pin its host key (ssh-keyscan -t ed25519) before Ansible may connect`);
  }
}

/** One readable log line per event. */
export function formatEvent(e: PlaybookEvent): string {
  if (e.event === 'task_start') return `TASK ${e.task ?? ''}`;
  if (e.event === 'stats') return `STATS ${JSON.stringify(e.hosts)}`;
  if (e.host) return `${e.event.toUpperCase()} ${e.host}: ${e.task ?? ''}${e.changed ? ' (changed)' : ''}${e.msg ? ` — ${e.msg}` : ''}`;
  return e.event;
}

/** The executable `bin` in one of PATH's directories, or undefined. */
function onPath(bin: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, bin);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}
