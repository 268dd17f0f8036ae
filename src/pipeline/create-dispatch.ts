import type { ActionEvent, ChatEvent } from '../chat/chat-event.ts';
import type { Dispatch, Responder } from '../chat/dispatch.ts';
import { parseCommand } from '../command/parse.ts';
import type { Command } from '../command/command.types.ts';
import { ChainopsError, UserError, errorMessage as errText } from '../errors.ts';
import { isOwnPendingRequest } from '../approval/withdraw.ts';
import { authorize, type Decision } from '../policy/authorize.ts';
import { commandScope } from '../policy/command-scope.ts';
import { actorKey, roleOf } from '../policy/roles.ts';
import { processRedactor } from '../secrets/process-secrets.ts';
import { errorMessage } from '../render/basic.messages.ts';
import { makeContext } from './context.ts';
import type { CoreDeps } from './deps.ts';
import { HANDLERS } from './handlers/index.ts';
import { nameHints } from '../fleet/fleet.lookup.ts';

/** Button action ids the core emits, and the command each one stands for. */
const ACTION_VERBS: Record<string, string> = {
  approve: 'approve',
  reject: 'reject',
  ack: 'ack',
  cancel: 'cancel',
  'rollout-pause': 'rollout pause',
  'rollout-resume': 'rollout resume',
  'rollout-abort': 'rollout abort',
  'rollout-rollback': 'rollout rollback',
  'rollout-retry': 'rollout retry',
  'health-check': 'health',
  'drift-upgrade': 'upgrade',
  'drift-plan': 'plan',
  'sync-apply': 'sync apply',
  'alert-silence': 'silence',
  'alert-run': 'run',
  // New-release post (issue #16): the value is `<group> <version>` (plus `--env <env>` for the upgrade).
  'release-upgrade-dev': 'upgrade',
  'release-promote': 'promotion start',
  'release-ignore': 'releases ignore',
  'promotion-pause': 'promotion pause',
  'promotion-resume': 'promotion resume',
  'promotion-abort': 'promotion abort',
};

/**
 * Build the core's single entry point: parse → authorise → handler (which may ask for approval or
 * enqueue a job). Refusals become friendly ephemeral messages; nothing here throws to the adapter.
 */
export function createDispatch(deps: CoreDeps): Dispatch {
  return async (event: ChatEvent, rawRespond: Responder) => {
    // Every reply passes the one redactor (worker output reaches chat through the outbox, redacted there).
    const respond: Responder = (m) => rawRespond(processRedactor().redactDeep(m));
    const who = actorKey(event.actor);
    const text = event.kind === 'command' ? event.text : actionText(event);
    try {
      if (text === undefined) {
        await respond(errorMessage('that button is not one ChainOps knows — it may be from an older version; type the command instead'));
        return;
      }
      const parsed = parseCommand(text, nameHints(deps.fleet()));
      if (!parsed.ok) {
        await deps.audit.append({ at: deps.clock.now(), actor: who, action: 'command', detail: clip(text), outcome: 'refused' });
        await respond(errorMessage(parsed.message));
        return;
      }
      await run(parsed.command, event, deps, respond);
    } catch (err) {
      const shown = err instanceof UserError ? err.message : 'something went wrong on our side; the error is logged — try again, and tell your ChainOps admins if it persists';
      if (err instanceof UserError) {
        await deps.audit.append({ at: deps.clock.now(), actor: who, action: 'refused', detail: clip(`${text ?? ''} — ${err.message}`), outcome: 'refused' }).catch(() => undefined);
      } else deps.logger.error({ err: errText(err), who, code: err instanceof ChainopsError ? err.code : 'internal' }, 'command failed');
      await respond(errorMessage(shown)).catch((e: unknown) => deps.logger.warn({ err: errText(e) }, 'could not deliver an error reply'));
    }
  };
}

async function run(command: Command, event: ChatEvent, deps: CoreDeps, respond: Responder): Promise<void> {
  const who = actorKey(event.actor);
  const fleet = deps.fleet();
  const scope = await commandScope(fleet, command, { getApproval: (id) => deps.state.getApproval(id), rollouts: deps.rollouts });
  let decision: Decision = authorize(fleet, event.actor, command, { scope, conversation: event.conversation });
  // The requester may withdraw their own pending request (Reject) without the approver role.
  const ownRole = decision.ok ? undefined : roleOf(fleet, event.actor, scope);
  if (!decision.ok && ownRole && (await isOwnPendingRequest(deps.state, command, who))) decision = { ok: true, role: ownRole };
  if (!decision.ok) {
    await deps.audit.append({ at: deps.clock.now(), actor: who, action: 'command', detail: command.canonical, outcome: 'refused' });
    await respond(errorMessage(decision.message));
    return;
  }
  const handler = HANDLERS[command.verb];
  const ctx = makeContext(event, command, decision.role, deps, respond);
  if (!isReadOnly(command)) {
    await deps.audit.append({ at: deps.clock.now(), actor: who, action: 'command', detail: command.canonical, outcome: 'ok' });
  }
  await handler(ctx);
}

/** Reads are not audited one by one (status polls would drown the log); every change is. */
function isReadOnly(command: Command): boolean {
  const reads = ['help', 'status', 'nodes', 'health', 'drift', 'jobs', 'job', 'audit', 'alerts'];
  return reads.includes(command.verb) || (command.verb === 'rollout' && command.values['action'] === 'status') || (command.verb === 'releases' && command.values['action'] !== 'ignore') || (command.verb === 'promotion' && command.values['action'] === 'status');
}

function actionText(event: ActionEvent): string | undefined {
  const verb = ACTION_VERBS[event.actionId];
  if (!verb) return undefined;
  return `${verb} ${event.value}`.trim();
}

function clip(s: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = s.replace(/[\u0000-\u001f\u007f]/g, ' ');
  return clean.length > 200 ? `${clean.slice(0, 200)}…` : clean;
}
