import { spawn, type ChildProcess } from 'node:child_process';
import { Queue } from 'bullmq';
import { queuePrefix } from '../../src/ports/key-layout.ts';
import { killWithParent, waitFor, waitForExit } from '../../adapters/local/wait-for.ts';
import { QUEUE_NAMES, type QueueName } from '../../src/ports/queue.port.ts';
import { ROOT } from './run-cli.ts';

/** One pino line the bot process wrote (logs go to stderr as JSON). */
export interface LogLine {
  level: number;
  msg?: string;
  [key: string]: unknown;
}

export interface BotProcess {
  pid: number;
  /** Everything the process wrote so far. */
  stdout(): string;
  stderr(): string;
  /** The JSON log lines so far (non-JSON lines are skipped). */
  logs(): LogLine[];
  /** Poll the logs until a line matches; fails early when the process has exited. */
  waitForLog(match: (l: LogLine) => boolean, what: string, timeoutMs?: number): Promise<LogLine>;
  /** SIGTERM (graceful), SIGKILL after 10 s; resolves once it has exited. Safe to call twice. */
  stop(): Promise<void>;
  /** How it exited (`code` null while running or when killed by a signal). */
  exit(): { code: number | null; signal: NodeJS.Signals | null };
}

/** Variables of the host that must not leak into a bot under test (a developer's real tokens). */
const SCRUBBED = /^(SLACK_|DISCORD_|TELEGRAM_|PAGERDUTY_|GITHUB_|NPM_REGISTRY_URL$|REDIS_URL$|CHAINOPS_|PORT$|LOG_LEVEL$)/;

/**
 * Start `node bin/chainops.js <role>` as its own process, exactly as an operator would, and wait until
 * it says it is up (`bot started` / `health sweeps scheduled`). The child dies with the test process.
 */
export async function startBotProcess(role: 'bot' | 'worker' | 'all', env: Record<string, string>, timeoutMs = 30_000): Promise<BotProcess> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !SCRUBBED.test(k)));
  const child = spawn(process.execPath, ['bin/chainops.js', role], {
    cwd: ROOT,
    // The bot's own /metrics port: a free one unless the test names it.
    env: { ...base, NO_COLOR: '1', BOT_METRICS_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  killWithParent(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const logs = (): LogLine[] =>
    err.split('\n').flatMap((line) => {
      if (!line.startsWith('{')) return [];
      try {
        return [JSON.parse(line) as LogLine];
      } catch {
        return [];
      }
    });
  const exited = () => exitReason(child, () => err);
  const handle: BotProcess = {
    pid: child.pid ?? -1,
    stdout: () => out,
    stderr: () => err,
    logs,
    waitForLog: (match, what, ms = 10_000) =>
      waitFor(async () => logs().find(match), { what: `bot log: ${what}`, timeoutMs: ms, intervalMs: 25, failIf: exited }),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await waitForExit(child, 10_000);
    },
    exit: () => ({ code: child.exitCode, signal: child.signalCode }),
  };
  const ready = role === 'worker' ? 'health sweeps scheduled' : 'bot started';
  try {
    await handle.waitForLog((l) => l.msg === ready, `"${ready}"`, timeoutMs);
  } catch (e) {
    await handle.stop();
    throw new Error(`${(e as Error).message}\n--- stderr tail ---\n${err.slice(-3_000)}`);
  }
  return handle;
}

function exitReason(child: ChildProcess, output: () => string): string | undefined {
  if (child.exitCode === null && child.signalCode === null) return undefined;
  return `the bot process exited (${child.exitCode ?? child.signalCode}): ${output().slice(-1_500)}`;
}

/** Read-only view of the BullMQ queues of one prefix: which jobs exist, in any state. */
export class QueueProbe {
  readonly #queues = new Map<QueueName, Queue>();

  constructor(redisUrl: string, prefix: string) {
    for (const name of QUEUE_NAMES) this.#queues.set(name, new Queue(name, { connection: { url: redisUrl, maxRetriesPerRequest: 3 }, prefix: queuePrefix(prefix, name) }));
  }

  /** Jobs of one queue (repeatable sweep jobs included for health/drift), oldest first. */
  async jobs(queue: QueueName): Promise<Array<{ id: string; data: Record<string, unknown> }>> {
    const q = this.#queues.get(queue)!;
    const jobs = await q.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed', 'prioritized', 'waiting-children'], 0, -1, true);
    return jobs.filter((j) => j?.id).map((j) => ({ id: String(j.id), data: j.data as Record<string, unknown> }));
  }

  /** `queue:id` of every job in every queue, sorted: compare two of these to see that nothing was queued. */
  async all(): Promise<string[]> {
    const ids = await Promise.all(QUEUE_NAMES.map(async (q) => (await this.jobs(q)).map((j) => `${q}:${j.id}`)));
    return ids.flat().sort();
  }

  async close(): Promise<void> {
    await Promise.all([...this.#queues.values()].map((q) => q.close()));
  }
}
