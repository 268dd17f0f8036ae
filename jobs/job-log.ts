import type { Clock } from '../src/ports/clock.port.ts';
import type { RolloutStore } from '../src/ports/rollout.port.ts';
import { processRedactor } from '../src/secrets/process-secrets.ts';

/** A job's full log, kept where rollout logs are kept (capped, newest lines win) under the job's id. */
export interface JobLog {
  line(text: string): void;
  /** Wait until every line so far is stored. */
  flush(): Promise<void>;
}

const redactor = processRedactor();

/**
 * `job <id> log` reads these lines for every kind of job. Lines are redacted before they are stored
 * (keys, tokens, passwords), as they are again when shown. Without a store (tests) it records nothing.
 */
export function jobLog(deps: { rollouts?: RolloutStore; clock: Clock }, id: string): JobLog {
  let writes: Promise<unknown> = Promise.resolve();
  return {
    line(text) {
      if (!deps.rollouts) return;
      const lines = redactor.redact(text).split('\n').map((l) => `${new Date(deps.clock.now()).toISOString()} ${l}`);
      writes = writes.then(() => deps.rollouts!.appendLog(id, lines)).catch(() => undefined);
    },
    flush: () => writes.then(() => undefined),
  };
}
