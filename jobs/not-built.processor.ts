import type { z } from 'zod';
import { ChainopsError } from '../src/errors.ts';
import type { JobContext } from './job-context.ts';
import { parseJobData } from './parse-job-data.ts';
import type { WorkerDeps } from './worker-deps.ts';

/**
 * A queue whose execution is not built in this release (upgrade: issue #6, provision: issue #7).
 * The job data is validated, the job's chat message says plainly that nothing was executed, and the
 * job fails for good (code `not_implemented`, no retries) so nobody mistakes it for a success.
 */
export function notBuiltProcessor<S extends z.ZodType>(deps: WorkerDeps, schema: S, what: string, issue: string) {
  return async (job: JobContext<unknown>) => {
    const data = parseJobData(schema, job.data, job.id) as { report?: { key: string; conversation: import('../src/chat/chat-event.ts').Conversation } };
    const text = `${what} is not built yet (${issue}). The request was approved and recorded, but nothing was executed on any node.`;
    await job.log(text);
    await deps.audit.append({ at: deps.clock.now(), actor: 'system', action: 'job.end', detail: `${job.id}: not executed (${issue})`, outcome: 'failed', ref: job.id });
    if (data.report) {
      await deps.outbox.publish({
        op: 'upsert', key: data.report.key, conversation: data.report.conversation,
        message: { text: `${job.id}: not executed — ${what} is not built yet`, severity: 'warn', blocks: [{ type: 'header', text: `${job.id}: not executed` }, { type: 'text', text }] },
      });
    }
    throw new ChainopsError('not_implemented', text);
  };
}
