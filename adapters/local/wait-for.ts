import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

/** Options of `waitFor`. */
export interface WaitForOptions {
  /** What we wait for, for the timeout message: `ganache on port 8545 to answer`. */
  what: string;
  /** Give up after this long; default 15 000 ms. */
  timeoutMs?: number;
  /** Pause between probes; default 100 ms. */
  intervalMs?: number;
  /** Checked before every probe; a string return aborts at once with that reason (e.g. the child exited). */
  failIf?: () => string | undefined;
}

/**
 * Polls `probe` until it returns a value other than undefined/false, or the deadline passes. A probe
 * that throws counts as "not yet"; its last error ends up in the timeout message.
 */
export async function waitFor<T>(probe: () => Promise<T | undefined | false>, opts: WaitForOptions): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const deadline = performance.now() + timeoutMs;
  let last = '';
  for (;;) {
    const fail = opts.failIf?.();
    if (fail) throw new Error(`gave up waiting for ${opts.what}: ${fail}`);
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    if (performance.now() >= deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${opts.what}${last ? ` (last error: ${last})` : ''}`);
    }
    await sleep(Math.min(opts.intervalMs ?? 100, Math.max(1, deadline - performance.now())));
  }
}

/** Resolves when the child has exited; sends SIGKILL if it is still alive after `timeoutMs`. */
export async function waitForExit(child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const timer = sleep(timeoutMs, 'late' as const, { ref: false });
  if ((await Promise.race([exited, timer])) === 'late') {
    child.kill('SIGKILL');
    await exited;
  }
}

/** Keeps the last 2 KB of output for error messages (and drains the pipes so the child never blocks). */
export function keepTail(child: ChildProcess): () => string {
  let tail = '';
  const add = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-2_048);
  };
  child.stdout?.on('data', add);
  child.stderr?.on('data', add);
  return () => tail.trim();
}

/** A reason string once the child has exited, for `waitFor`'s `failIf`. */
export function exitedWith(child: ChildProcess, output: () => string): string | undefined {
  if (child.exitCode === null && child.signalCode === null) return undefined;
  const how = child.exitCode !== null ? `exit code ${child.exitCode}` : `signal ${child.signalCode}`;
  const out = output();
  return `process exited (${how})${out ? `: ${out.slice(-400)}` : ''}`;
}

// Children we started and the sync clean-up each needs (e.g. removing a temp datadir).
const tracked = new Map<ChildProcess, () => void>();
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
let installed = false;

/**
 * Makes sure `child` dies with this process: on 'exit', and on SIGINT/SIGTERM/SIGHUP when nothing
 * else in the process handles that signal (then its default action runs as before). `cleanup` runs
 * synchronously right after the kill. A SIGKILL of this process cannot be caught. Returns an untrack function.
 */
export function killWithParent(child: ChildProcess, cleanup: () => void = () => {}): () => void {
  tracked.set(child, cleanup);
  child.once('exit', () => tracked.delete(child));
  if (!installed) {
    installed = true;
    process.once('exit', killAll);
    for (const sig of SIGNALS) process.on(sig, onSignal);
  }
  return () => tracked.delete(child);
}

function killAll(): void {
  for (const [child, cleanup] of tracked) {
    child.kill('SIGKILL');
    try {
      cleanup();
    } catch {
      // Best effort: the process is going away and has nowhere to report this.
    }
  }
  tracked.clear();
}

function onSignal(sig: NodeJS.Signals): void {
  // Another listener means the app handles this signal (a graceful stop); 'exit' remains our backstop.
  if (process.listenerCount(sig) > 1) return;
  killAll();
  for (const s of SIGNALS) process.removeListener(s, onSignal);
  // Listening replaced the default action: raise the signal again so the process ends as it would have.
  process.kill(process.pid, sig);
}
