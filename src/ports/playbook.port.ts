import type { Fleet, FleetNode } from '../fleet/fleet.schema.ts';

/** One event of a playbook run, from the JSONL callback (`ok`, `failed`, `unreachable`, `task_start`, `stats`, …). */
export interface PlaybookEvent {
  event: string;
  host?: string;
  task?: string;
  action?: string;
  msg?: string;
  changed?: boolean;
  diff?: string;
  hosts?: Record<string, HostStats>;
}

export interface HostStats {
  ok: number;
  changed: number;
  failures: number;
  unreachable: number;
  skipped: number;
  [k: string]: number;
}

export interface PlaybookRequest {
  fleet: Fleet;
  /** Absolute path of the playbook file. */
  playbook: string;
  /** Hosts to run on (`--limit`); each must have `ssh` and a pinned `host_key`. */
  nodes: FleetNode[];
  /** Passed as JSON from a file (`-e @vars.json`), never interpolated into a command line. */
  extraVars: Record<string, unknown>;
  /** `--check --diff`: show what would change, change nothing. */
  check?: boolean;
  onEvent?(event: PlaybookEvent): void;
  /** Every line of output, for the full log. */
  onLine?(line: string): void;
  /** Kill the run after this long. @defaultValue 30 minutes */
  timeoutMs?: number;
}

export interface PlaybookResult {
  /** ansible-playbook's exit code: 0 ok, 2 failed tasks, 4 unreachable hosts, other = error. */
  rc: number;
  ok: boolean;
  hosts: Record<string, HostStats>;
  /** One line per failed or unreachable host: `node: task — message`. */
  failures: Array<{ host: string; task: string; msg: string }>;
  /** Diffs (check mode) as JSON strings per host and task. */
  diffs: Array<{ host: string; task: string; diff: string }>;
}

/** Runs Ansible playbooks (ansible-playbook in production and tests; never a shell string). */
export interface PlaybookRunner {
  run(request: PlaybookRequest): Promise<PlaybookResult>;
}
