import type { Verb } from '../../command/grammar.ts';
import type { HandlerContext } from '../context.ts';
import { approvalHandler } from './approval.handler.ts';
import { auditHandler } from './audit.handler.ts';
import { changeHandler } from './change.handler.ts';
import { driftHandler } from './drift.handler.ts';
import { healthHandler, nodesHandler, statusHandler } from './fleet.handler.ts';
import { helpHandler } from './help.handler.ts';
import { cancelHandler, jobHandler, jobsHandler } from './jobs.handler.ts';
import { laterHandler } from './later.handler.ts';
import { freezeHandler, lockHandler, unfreezeHandler, unlockHandler } from './lock.handler.ts';
import { rolloutHandler } from './rollout.handler.ts';

export type Handler = (ctx: HandlerContext) => Promise<void>;

/** One handler per verb: the compiler refuses a verb without one. */
export const HANDLERS: Record<Verb, Handler> = {
  help: helpHandler,
  status: statusHandler,
  nodes: nodesHandler,
  health: healthHandler,
  upgrade: changeHandler,
  provision: changeHandler,
  decommission: changeHandler,
  drift: driftHandler,
  rollout: rolloutHandler,
  approve: approvalHandler,
  reject: approvalHandler,
  lock: lockHandler,
  unlock: unlockHandler,
  freeze: freezeHandler,
  unfreeze: unfreezeHandler,
  jobs: jobsHandler,
  job: jobHandler,
  cancel: cancelHandler,
  audit: auditHandler,
  alerts: laterHandler,
  ack: laterHandler,
  silence: laterHandler,
};
