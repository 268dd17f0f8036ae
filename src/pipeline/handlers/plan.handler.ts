import { requireEnv } from '../../fleet/fleet.lookup.ts';
import { jobMessage } from '../../render/job.message.ts';
import { str, type HandlerContext } from '../context.ts';
import { conversationOf, postOwned } from '../owned-message.ts';

/** `plan [env]`: Terraform plan of every managed group (infrastructure drift), run by a worker; changes nothing. */
export async function planHandler(ctx: HandlerContext): Promise<void> {
  const env = str(ctx, 'env');
  if (env) requireEnv(ctx.fleet, env);
  const jobId = `pv-${ctx.deps.newId()}`;
  const key = `job:${jobId}`;
  await postOwned(ctx, key, jobMessage({ jobId, title: `Terraform plan${env ? ` of ${env}` : ''}`, state: 'queued — read-only, nothing will be applied', summary: [] }));
  await ctx.deps.queue.enqueue('provision', jobId, { v: 1, kind: 'plan', ...(env ? { env } : {}), requestedBy: ctx.who, report: { key, conversation: conversationOf(ctx) } });
}
