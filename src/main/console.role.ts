import { ConsoleChat, runOnce, shouldColor, startConsole, streamWidth } from '../../adapters/console/index.ts';
import { startOutboxConsumer } from '../../adapters/outbox/redis.outbox.ts';
import { createDispatch } from '../pipeline/create-dispatch.ts';
import { deliverOutboxItem } from '../pipeline/outbox-delivery.ts';
import type { Runtime } from './runtime.ts';
import { startApprovalSweeper } from './approval-sweeper.ts';
import { withChartData } from './chart-delivery.ts';

export interface ConsoleRoleOptions {
  /** Who the console acts as: CHAINOPS_CONSOLE_USER or the OS user. */
  user: string;
  /** `--as <user>`: only when the fleet file sets console.allow_impersonation. */
  as?: string;
  /** Run this one line and return its exit code instead of opening the REPL. */
  exec?: string;
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
}

/** Console users named in the fleet file (for `/as` and `--as`). */
function consoleUsers(rt: Runtime): string[] {
  const roles = rt.fleet().roles;
  return [...new Set(Object.values(roles).flatMap((m) => m?.console ?? []).filter((u) => u !== '*'))];
}

/** Why acting as `as` is refused, or undefined (it is the console's own user, or the fleet allows impersonation). */
export function impersonationRefusal(rt: Pick<Runtime, 'fleet'>, self: string, as: string | undefined): string | undefined {
  if (as === undefined || as === self || rt.fleet().console.allow_impersonation) return undefined;
  return `--as ${as} is refused: the console acts as "${self}" (CHAINOPS_CONSOLE_USER or your OS user), and this fleet file does not allow impersonation — set console.allow_impersonation: true only in a demo or test fleet, or run the console as that user`;
}

/** The terminal chat: commands go through the same pipeline as Slack and Discord. */
export async function runConsoleRole(rt: Runtime, opts: ConsoleRoleOptions): Promise<number> {
  const output = (opts.output ?? process.stdout) as import('node:stream').Writable;
  const refusal = impersonationRefusal(rt, opts.user, opts.as);
  if (refusal) {
    output.write(`✖ ${refusal}\n`);
    return 1;
  }
  const user = opts.as ?? opts.user;
  const mayImpersonate = () => rt.fleet().console.allow_impersonation;
  const dispatch = createDispatch(rt.core);
  if (opts.exec !== undefined) return runOnce({ text: opts.exec, user, output, dispatch, mayImpersonate });
  // As wide as the terminal (or COLUMNS, or 160 when not a terminal), like the console session's own chat.
  const chat = new ConsoleChat(output, { color: shouldColor(output), width: streamWidth(output) });
  const consumer = startOutboxConsumer({
    redis: rt.connect('events'),
    prefix: rt.prefix,
    platforms: ['console'],
    consumer: `console-${process.pid}`,
    deliver: async (item) => deliverOutboxItem(await withChartData(rt, item), (p) => (p === 'console' ? chat : undefined), rt.state),
    logger: rt.logger,
  });
  const sweeper = startApprovalSweeper(rt.core);
  const users = consoleUsers(rt);
  const session = startConsole({
    input: (opts.input ?? process.stdin) as import('node:stream').Readable,
    output,
    user,
    mayImpersonate,
    ...(users.length ? { users: [...new Set([user, ...users])] } : {}),
    dispatch,
    chat,
  });
  await session.closed;
  sweeper.stop();
  await consumer.stop();
  return 0;
}
