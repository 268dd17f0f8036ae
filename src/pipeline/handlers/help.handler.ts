import { GRAMMAR, usageOf, VERBS, type Verb } from '../../command/grammar.ts';
import { closest } from '../../command/suggest.ts';
import { atLeast, scopedRoleSummary } from '../../policy/roles.ts';
import { noteMessage, titled } from '../../render/basic.messages.ts';
import { str, type HandlerContext } from '../context.ts';

/** `help` lists only what the asker may run; `help <verb>` explains one command. */
export async function helpHandler(ctx: HandlerContext): Promise<void> {
  const topic = str(ctx, 'verb')?.toLowerCase();
  if (topic) {
    const spec = GRAMMAR.find((s) => s.verb === topic);
    if (!spec) {
      const hint = closest(topic, VERBS);
      await ctx.respond(noteMessage(`no command \`${topic}\`${hint ? ` — did you mean \`${hint}\`?` : ''}. Type \`/chainops help\` for the list.`, 'warn'));
      return;
    }
    const rows = [...spec.args.map((a) => [`<${a.name}>`, a.help]), ...spec.flags.map((f) => [`--${f.name}`, f.help])];
    await ctx.respond(
      titled(`/chainops ${spec.verb}`, [
        { type: 'text', text: spec.summary },
        { type: 'code', text: usageOf(spec) },
        ...(rows.length ? [{ type: 'table' as const, columns: ['argument', 'meaning'], rows }] : []),
        { type: 'context', text: `needs the ${spec.minRole} role` },
      ], { ephemeral: true }),
    );
    return;
  }
  const allowed = GRAMMAR.filter((s) => atLeast(ctx.role, s.minRole));
  const rows = allowed.map((s) => [s.verb, s.summary]);
  await ctx.respond(
    titled('ChainOps commands', [
      { type: 'table', columns: ['command', 'what it does'], rows },
      { type: 'context', text: `You are ${scopedRoleSummary(ctx.fleet, ctx.actor) ?? ctx.role}. \`/chainops help <command>\` shows its usage.` },
    ], { ephemeral: true, text: `ChainOps commands you may run: ${allowed.map((s) => s.verb as Verb).join(', ')}` }),
  );
}
