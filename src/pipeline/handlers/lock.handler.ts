import { UserError } from '../../errors.ts';
import { requireEnv, requireGroup } from '../../fleet/fleet.lookup.ts';
import { lockKey } from '../../policy/locks.ts';
import { atLeast } from '../../policy/roles.ts';
import { ago, noteMessage } from '../../render/basic.messages.ts';
import { num, str, type HandlerContext } from '../context.ts';


function checkEnvGroup(ctx: HandlerContext): { env: string; group: string } {
  const env = str(ctx, 'env')!;
  const group = str(ctx, 'group')!;
  requireEnv(ctx.fleet, env);
  requireGroup(ctx.fleet, group);
  return { env, group };
}

/** `lock <env> <group> [--for 1h] [--reason …]`: hold the change lock by hand (maintenance). */
export async function lockHandler(ctx: HandlerContext): Promise<void> {
  const { env, group } = checkEnvGroup(ctx);
  const ttl = num(ctx, 'for') ?? 3_600_000;
  const reason = str(ctx, 'reason') ?? 'held by hand';
  const got = await ctx.deps.state.acquireLock(lockKey(env, group), ctx.who, reason, ttl);
  if (!got.ok) {
    const c = got.current;
    await ctx.respond(noteMessage(`${env}/${group} is already locked by ${c.holder} (${c.purpose}) since ${ago(ctx.deps.clock.now() - c.acquiredAt)}.`, 'warn'));
    return;
  }
  await ctx.respond(noteMessage(`Locked ${env}/${group} for ${Math.round(ttl / 60_000)}m (${reason}). Changes to it wait until \`/chainops unlock ${env} ${group}\`.`, 'ok'));
}

/** `unlock <env> <group>`: release your lock; admins may release anyone's. */
export async function unlockHandler(ctx: HandlerContext): Promise<void> {
  const { env, group } = checkEnvGroup(ctx);
  const key = lockKey(env, group);
  const current = await ctx.deps.state.getLock(key);
  if (!current) {
    await ctx.respond(noteMessage(`${env}/${group} is not locked.`));
    return;
  }
  if (current.holder !== ctx.who && !atLeast(ctx.role, 'admin')) {
    throw new UserError('forbidden', `${env}/${group} is locked by ${current.holder} (${current.purpose}); only they or an admin can unlock it`);
  }
  if (current.holder === ctx.who) await ctx.deps.state.releaseLock(key, ctx.who);
  else await ctx.deps.state.forceReleaseLock(key);
  await ctx.respond(noteMessage(`Unlocked ${env}/${group} (was held by ${current.holder}).`, 'ok'));
}

/** `freeze <env> [--reason …]`: refuse every change in the environment. */
export async function freezeHandler(ctx: HandlerContext): Promise<void> {
  const env = str(ctx, 'env')!;
  requireEnv(ctx.fleet, env);
  const reason = str(ctx, 'reason') ?? 'no reason given';
  await ctx.deps.state.setFreeze({ env, by: ctx.who, reason, at: ctx.deps.clock.now() });
  await ctx.respond({ text: `❄ ${env} is frozen by ${ctx.who}: ${reason}`, severity: 'warn', blocks: [{ type: 'text', text: `❄ **${env}** is frozen by ${ctx.who}: ${reason}. Every change is refused until \`/chainops unfreeze ${env}\`.` }] });
}

/** `unfreeze <env>`. */
export async function unfreezeHandler(ctx: HandlerContext): Promise<void> {
  const env = str(ctx, 'env')!;
  const was = await ctx.deps.state.clearFreeze(env);
  await ctx.respond(was ? { text: `${env} is open for changes again`, severity: 'ok', blocks: [{ type: 'text', text: `${env} is open for changes again (unfrozen by ${ctx.who}).` }] } : noteMessage(`${env} was not frozen.`));
}

/** Refuse a change when the environment is frozen or the group is locked by someone else. */
export async function assertCanChange(ctx: HandlerContext, env: string, group: string): Promise<void> {
  const freeze = await ctx.deps.state.getFreeze(env);
  if (freeze) throw new UserError('frozen', `${env} is frozen by ${freeze.by} (${freeze.reason}) — changes are refused until \`/chainops unfreeze ${env}\``);
  const lock = await ctx.deps.state.getLock(lockKey(env, group));
  if (lock && lock.holder !== ctx.who) {
    throw new UserError('locked', `${env}/${group} is locked by ${lock.holder} (${lock.purpose}) — try again when it is released, or ask them to \`/chainops unlock ${env} ${group}\``);
  }
}
