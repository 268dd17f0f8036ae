import type { Actor, Platform } from '../../src/chat/chat-event.ts';
import { parseCommand } from '../../src/command/parse.ts';
import { ChainopsError, errorMessage } from '../../src/errors.ts';
import type { HandlerContext } from '../../src/pipeline/context.ts';
import type { CoreDeps } from '../../src/pipeline/deps.ts';
import type { PromotionRecord } from '../../src/promotion/promotion.record.ts';
import type { StateStore } from '../../src/ports/state.port.ts';

/**
 * Where a stage's messages go: the thread of the promotion's message once it is posted (its ref is
 * known), else the promotion's conversation.
 */
export async function stageConversation(state: StateStore, rec: PromotionRecord): Promise<PromotionRecord['conversation']> {
  const ref = await state.getMessageRef(rec.reportKey);
  if (!ref) return rec.conversation;
  return { platform: ref.platform, channelId: ref.channelId, threadId: ref.threadId ?? ref.messageId };
}

/**
 * A handler context for a command the promotion runs on its starter's behalf (`upgrade … --env …`,
 * `rollout rollback …`), so a stage goes through exactly the code a typed command does: plan, freeze
 * and lock checks, the environment's approval policy (the starter is the requester, so cannot approve
 * it where self-approval is off), idempotent job start. Replies go to the promotion's thread through
 * the outbox; `newId` is fixed by `idPart`, so a retried tick makes the same approval id.
 */
export function stageContext(core: CoreDeps, rec: PromotionRecord, conversation: PromotionRecord['conversation'], line: string, idPart: string): HandlerContext {
  const parsed = parseCommand(line);
  if (!parsed.ok) throw new ChainopsError('internal', `promotion ${rec.id} built a command that does not parse (${line}): ${parsed.message}`);
  const [platform, ...rest] = rec.startedBy.split(':');
  const actor: Actor = { platform: (platform ?? 'console') as Platform, id: rest.join(':') || rec.startedBy, roleIds: [] };
  const deps: CoreDeps = { ...core, newId: () => idPart };
  return {
    event: { kind: 'command', actor, conversation, text: parsed.command.canonical },
    actor,
    who: rec.startedBy,
    role: rec.starterRole,
    command: parsed.command,
    fleet: core.fleet(),
    deps,
    respond: async (message) => {
      await core.outbox.publish({ op: 'thread', key: rec.reportKey, conversation: rec.conversation, message });
      return undefined;
    },
    // Not awaited: `startChangeJob` publishes its job message while it holds that message's first-post
    // lock, and an in-process outbox delivers inside `publish` (it would wait out the lock's lease).
    publishOwned: async (key, message) => {
      void core.outbox.publish({ op: 'upsert', key, conversation, message }).catch((err: unknown) => core.logger.warn({ err: errorMessage(err), key }, 'promotion stage message not published'));
    },
  };
}
