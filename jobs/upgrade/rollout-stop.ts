import type { Severity } from '../../src/chat/message.ts';
import type { RolloutStatus } from '../../src/rollout/rollout.record.ts';

/** Ends a rollout with a recorded status and a reason for people. */
export class Stop extends Error {
  constructor(readonly status: RolloutStatus, readonly why: string, readonly severity: Severity = 'warn') {
    super(why);
  }
}
