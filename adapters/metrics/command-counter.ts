import type { Dispatch } from '../../src/chat/dispatch.ts';
import { parseCommand } from '../../src/command/parse.ts';
import type { CommandLabels } from './bot-gauges.ts';

/**
 * Wraps the core's dispatch so every event is counted by platform, kind and verb. The verb comes from
 * the real parser, so the label only ever holds a grammar verb or `invalid` (bounded cardinality);
 * button presses count as `button`.
 */
export function countingDispatch(dispatch: Dispatch, count: (labels: CommandLabels) => void): Dispatch {
  return (event, respond) => {
    try {
      const parsed = event.kind === 'command' ? parseCommand(event.text) : undefined;
      const verb = event.kind === 'action' ? 'button' : parsed?.ok ? parsed.command.verb : 'invalid';
      count({ platform: event.actor.platform, kind: event.kind, verb });
    } catch {
      // Counting must never stand between a user and the reply.
    }
    return dispatch(event, respond);
  };
}
