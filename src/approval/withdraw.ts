import type { Command } from '../command/command.types.ts';
import type { StateStore } from '../ports/state.port.ts';

/**
 * `reject <id>` by the person who asked for the change is a withdrawal: allowed whatever their role
 * (the request is theirs), while rejecting someone else's request still needs the approver role.
 */
export async function isOwnPendingRequest(state: StateStore, command: Command, who: string): Promise<boolean> {
  if (command.verb !== 'reject') return false;
  const id = command.values['id'];
  if (typeof id !== 'string') return false;
  const req = await state.getApproval(id);
  return req?.status === 'pending' && req.requestedBy === who;
}
