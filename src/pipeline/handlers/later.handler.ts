import { noteMessage } from '../../render/basic.messages.ts';
import type { HandlerContext } from '../context.ts';

const LATER: Record<string, string> = {
};

/** Verbs the grammar knows but this release cannot carry out yet: say so plainly, change nothing. */
export async function laterHandler(ctx: HandlerContext): Promise<void> {
  const why = LATER[ctx.command.verb] ?? 'this command is not available in this release';
  await ctx.respond(noteMessage(`Not available yet: ${why}. Nothing was changed.`, 'warn'));
}
