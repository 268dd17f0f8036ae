import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Block, Severity } from '../../src/chat/message.ts';
import type { ReportTo } from '../../src/jobs/job-data.schema.ts';
import { jobMessage } from '../../src/render/job.message.ts';
import { tailBlock } from '../../src/render/provision.message.ts';
import type { JobContext } from '../job-context.ts';
import type { WorkerDeps } from '../worker-deps.ts';

const THROTTLE_MS = 2_000;

/**
 * The job's one chat message and its full log. Lines (already redacted) go to the job log and a log
 * file in full; the message shows the state, the steps done, and the last few lines, edited in place
 * at most every 2 s while a command streams.
 */
export class JobReporter {
  readonly #deps: WorkerDeps;
  readonly #job: JobContext<unknown>;
  readonly #report: ReportTo;
  readonly #title: string;
  readonly #logFile: string;
  readonly #tail: string[] = [];
  #state = 'running';
  #summary: Block[] = [];
  #steps: string[] = [];
  #timer: NodeJS.Timeout | undefined;
  #writes: Promise<unknown> = Promise.resolve();
  #logReady: Promise<unknown> | undefined;

  constructor(deps: WorkerDeps, job: JobContext<unknown>, report: ReportTo, title: string, logFile: string) {
    this.#deps = deps;
    this.#job = job;
    this.#report = report;
    this.#title = title;
    this.#logFile = logFile;
  }

  get logFile(): string {
    return this.#logFile;
  }

  /** One line of command output or of our own narration. */
  line(text: string): void {
    const stamped = `${new Date(this.#deps.clock.now()).toISOString()} ${text}`;
    this.#tail.push(text);
    if (this.#tail.length > 50) this.#tail.shift();
    this.#logReady ??= mkdir(dirname(this.#logFile), { recursive: true });
    this.#writes = this.#writes
      .then(() => this.#logReady)
      .then(() => appendFile(this.#logFile, `${stamped}\n`))
      .then(() => this.#job.log(text))
      .then(() => this.#deps.rollouts.appendLog(this.#job.id, [stamped]))
      .catch(() => undefined);
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      void this.#publish('info').catch(() => undefined);
    }, THROTTLE_MS);
  }

  /** A step finished (shown as a list in the message). */
  async step(text: string, severity: Severity = 'info'): Promise<void> {
    this.#steps.push(text);
    this.line(text);
    await this.#publish(severity);
  }

  /** Change the state line (and optionally the summary blocks) and publish now. */
  async status(state: string, opts: { summary?: Block[]; severity?: Severity; final?: boolean } = {}): Promise<void> {
    this.#state = state;
    if (opts.summary) this.#summary = opts.summary;
    if (opts.final && this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    await this.#publish(opts.severity ?? 'info', opts.final);
  }

  /** Wait until every line reached the job log and the log file. */
  async flush(): Promise<void> {
    await this.#writes;
  }

  async #publish(severity: Severity, final = false): Promise<void> {
    const message = jobMessage({
      jobId: this.#job.id,
      title: this.#title,
      state: this.#state,
      summary: [...this.#summary, ...(this.#steps.length ? [{ type: 'text' as const, text: this.#steps.map((s) => `• ${s}`).join('\n') }] : []), ...(final ? [] : tailBlock(this.#tail))],
      severity,
    });
    await this.#deps.outbox.publish({ op: 'upsert', key: this.#report.key, conversation: this.#report.conversation, message });
    await this.#job.progress({ state: this.#state, steps: this.#steps.length }).catch(() => undefined);
  }
}
