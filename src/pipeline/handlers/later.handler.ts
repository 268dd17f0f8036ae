import { noteMessage } from '../../render/basic.messages.ts';
import type { HandlerContext } from '../context.ts';

const LATER: Record<string, string> = {
  rollout: 'pausing, resuming, aborting and rolling back rollouts arrive with rolling upgrades (issue #6)',
  alerts: 'the KPI alert engine arrives with issue #3; `/chainops status` and `/chainops nodes` show problems now',
  ack: 'alerts arrive with the KPI alert engine (issue #3)',
  silence: 'alert silences arrive with the KPI alert engine (issue #3)',
};

/** Verbs the grammar knows but this release cannot carry out yet: say so plainly, change nothing. */
export async function laterHandler(ctx: HandlerContext): Promise<void> {
  const why = LATER[ctx.command.verb] ?? 'this command is not available in this release';
  await ctx.respond(noteMessage(`Not available yet: ${why}. Nothing was changed.`, 'warn'));
}
