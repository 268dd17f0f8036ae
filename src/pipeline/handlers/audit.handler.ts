import { isoTime, titled } from '../../render/basic.messages.ts';
import { num, type HandlerContext } from '../context.ts';

/** `audit [--limit N]`: the newest entries of the append-only audit log. */
export async function auditHandler(ctx: HandlerContext): Promise<void> {
  const limit = Math.min(num(ctx, 'limit') ?? 20, 100);
  const entries = await ctx.deps.audit.latest(limit);
  const rows = entries.map((e) => [isoTime(e.at), e.actor, e.action, e.outcome ?? '', e.detail]);
  await ctx.respond(
    titled(`Audit log — latest ${entries.length}`, entries.length
      ? [{ type: 'table', columns: ['time', 'who', 'action', 'outcome', 'detail'], rows }]
      : [{ type: 'text', text: 'The audit log is empty.' }], { ephemeral: true }),
  );
}
