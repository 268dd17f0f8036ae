import type { Message } from '../chat/message.ts';
import { assessFleet } from '../health/fleet-health.ts';
import type { CoreDeps } from '../pipeline/deps.ts';
import { statusMessage } from './status.message.ts';

/** The App Home overview: fleet status from the latest snapshots, pending approvals. */
export async function homeView(deps: CoreDeps): Promise<Message> {
  const fleet = deps.fleet();
  const now = deps.clock.now();
  const status = statusMessage(assessFleet(fleet, await deps.state.getSnapshots(), now), now);
  const pending = await deps.state.listApprovals('pending');
  const blocks = [...status.blocks, { type: 'divider' as const }, { type: 'header' as const, text: 'Waiting for approval' }];
  blocks.push(pending.length
    ? { type: 'table', columns: ['id', 'command', 'requested by'], rows: pending.map((a) => [a.id, a.command, a.requestedBy]) }
    : { type: 'text', text: 'Nothing is waiting for approval.' });
  return { text: `ChainOps — ${fleet.name}`, severity: status.severity ?? 'info', blocks };
}
