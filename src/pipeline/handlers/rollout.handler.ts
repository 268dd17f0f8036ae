import { UserError } from '../../errors.ts';
import { titled } from '../../render/basic.messages.ts';
import { str, type HandlerContext } from '../context.ts';
import { laterHandler } from './later.handler.ts';

/** `rollout status [id]`: the state of an upgrade job (the latest when no id is given). */
export async function rolloutHandler(ctx: HandlerContext): Promise<void> {
  if (str(ctx, 'action') !== 'status') return laterHandler(ctx);
  const id = str(ctx, 'id');
  let job = id ? await ctx.deps.queue.get('upgrade', id) : undefined;
  if (!id) job = (await ctx.deps.queue.list(50)).find((j) => j.queue === 'upgrade');
  if (!job) throw new UserError('not_found', id ? `no rollout \`${id}\` — see \`/chainops jobs\`` : 'no rollout has run yet');
  const data = (job.data ?? {}) as { env?: string; group?: string; version?: string; targets?: string[] };
  await ctx.respond(titled(`Rollout ${job.id}`, [
    { type: 'fields', fields: [
      { label: 'target', value: `${data.env ?? '?'}/${data.group ?? '?'}` },
      { label: 'version', value: data.version ?? '?' },
      { label: 'nodes', value: String(data.targets?.length ?? 0) },
      { label: 'state', value: job.state },
    ] },
    ...(job.failedReason ? [{ type: 'text' as const, text: `Failed: ${job.failedReason}` }] : []),
  ], { ephemeral: true }));
}
