import { ConsoleChat, runOnce, shouldColor, startConsole, streamWidth } from '../../adapters/console/index.ts';
import { startOutboxConsumer } from '../../adapters/outbox/redis.outbox.ts';
import { createDispatch } from '../pipeline/create-dispatch.ts';
import { deliverOutboxItem } from '../pipeline/outbox-delivery.ts';
import type { Runtime } from './runtime.ts';
import { withChartData } from './chart-delivery.ts';

export interface ConsoleRoleOptions {
  user: string;
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

/** The terminal chat: commands go through the same pipeline as Slack and Discord. */
export async function runConsoleRole(rt: Runtime, opts: ConsoleRoleOptions): Promise<number> {
  const output = (opts.output ?? process.stdout) as import('node:stream').Writable;
  const dispatch = createDispatch(rt.core);
  if (opts.exec !== undefined) return runOnce({ text: opts.exec, user: opts.user, output, dispatch });
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
  const users = consoleUsers(rt);
  const session = startConsole({
    input: (opts.input ?? process.stdin) as import('node:stream').Readable,
    output,
    user: opts.user,
    ...(users.length ? { users: [...new Set([opts.user, ...users])] } : {}),
    dispatch,
    chat,
  });
  await session.closed;
  await consumer.stop();
  return 0;
}
