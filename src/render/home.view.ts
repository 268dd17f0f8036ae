import type { Actor } from '../chat/chat-event.ts';
import type { Message } from '../chat/message.ts';
import { roleOf } from '../policy/roles.ts';
import { assessFleet } from '../health/fleet-health.ts';
import type { CoreDeps } from '../pipeline/deps.ts';
import { statusMessage } from './status.message.ts';

/** The App Home overview: fleet status from the latest snapshots, pending approvals — only for someone with a role. */
export async function homeView(deps: CoreDeps, actor: Actor): Promise<Message> {
  const fleet = deps.fleet();
  if (!roleOf(fleet, actor, 'any')) {
    return { text: 'ChainOps', severity: 'info', blocks: [{ type: 'text', text: `You have no ChainOps role yet — ask an admin to add your Slack id \`${actor.id}\` under \`roles:\` in the fleet file.` }] };
  }
  const now = deps.clock.now();
  const status = statusMessage(assessFleet(fleet, await deps.state.getSnapshots(), now), now);
  const pending = await deps.state.listApprovals('pending');
  const blocks = [...status.blocks, { type: 'divider' as const }, { type: 'header' as const, text: 'Waiting for approval' }];
  blocks.push(pending.length
    ? { type: 'table', columns: ['id', 'command', 'requested by'], rows: pending.map((a) => [a.id, a.command, a.requestedBy]) }
    : { type: 'text', text: 'Nothing is waiting for approval.' });
  return { text: `ChainOps — ${fleet.name}`, severity: status.severity ?? 'info', blocks };
}
