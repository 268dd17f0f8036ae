import type { Severity } from '../../src/chat/message.ts';
import { rolloutMessage, rolloutNote } from '../../src/render/rollout.message.ts';
import type { RolloutRecord } from '../../src/rollout/rollout.record.ts';
import type { JobContext } from '../job-context.ts';
import { LeaseLost } from '../lease.ts';
import type { WorkerDeps } from '../worker-deps.ts';

/**
 * Where a rollout reports: the checkpoint (Redis), the message it owns (edited in place through the
 * outbox), notes in that message's thread, and the full log (buffered, appended in chunks).
 */
export class RolloutReport {
  readonly #deps: WorkerDeps;
  readonly #job: JobContext<unknown>;
  readonly #rec: () => RolloutRecord;
  #buffer: string[] = [];

  readonly #fence: () => { key: string; token: number };

  /** `fence`: the lease key and token checkpoints are fenced with (token 0 before the lock is held). */
  constructor(deps: WorkerDeps, job: JobContext<unknown>, rec: () => RolloutRecord, fence: () => { key: string; token: number }) {
    this.#deps = deps;
    this.#job = job;
    this.#rec = rec;
    this.#fence = fence;
  }

  /**
   * Save the record (fenced: refused once a newer execution wrote it — then `LeaseLost`, or nothing
   * at all before this run holds its lock), edit the rollout message, update job progress.
   */
  async checkpoint(): Promise<void> {
    const rec = this.#rec();
    rec.updatedAt = this.#deps.clock.now();
    const { key, token } = this.#fence();
    if (!(await this.#deps.rollouts.saveFenced(rec, token))) {
      if (token > 0) throw new LeaseLost(key);
      return;
    }
    await this.#deps.outbox.publish({ op: 'upsert', key: rec.reportKey, conversation: rec.conversation, message: rolloutMessage(rec) });
    await this.#job.progress({ status: rec.status, nodes: Object.fromEntries(rec.nodes.map((n) => [n.name, n.state])) });
    await this.flush();
  }

  /** A line in the rollout's thread (and its log). */
  async note(text: string, severity: Severity = 'info'): Promise<void> {
    await this.log(text);
    const rec = this.#rec();
    await this.#deps.outbox.publish({ op: 'thread', key: rec.reportKey, conversation: rec.conversation, message: rolloutNote(text, severity) });
  }

  async log(line: string): Promise<void> {
    this.#buffer.push(`${new Date(this.#deps.clock.now()).toISOString()} ${line}`);
    if (this.#buffer.length >= 50) await this.flush();
  }

  async flush(): Promise<void> {
    if (!this.#buffer.length) return;
    const lines = this.#buffer;
    this.#buffer = [];
    await this.#deps.rollouts.appendLog(this.#rec().id, lines);
  }
}
