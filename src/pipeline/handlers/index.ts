import type { Verb } from '../../command/grammar.ts';
import type { HandlerContext } from '../context.ts';
import { ackHandler, alertsHandler, silenceHandler } from './alerts.handler.ts';
import { approvalHandler } from './approval.handler.ts';
import { auditHandler } from './audit.handler.ts';
import { changeHandler } from './change.handler.ts';
import { driftHandler } from './drift.handler.ts';
import { healthHandler, nodesHandler, statusHandler } from './fleet.handler.ts';
import { helpHandler } from './help.handler.ts';
import { cancelHandler, jobHandler, jobsHandler } from './jobs.handler.ts';
import { freezeHandler, lockHandler, unfreezeHandler, unlockHandler } from './lock.handler.ts';
import { rolloutHandler } from './rollout.handler.ts';
import { planHandler } from './plan.handler.ts';
import { provisionHandler } from './provision.handler.ts';
import { syncHandler } from './sync.handler.ts';
import { runHandler } from './run.handler.ts';
import { chartHandler } from './chart.handler.ts';
import { releasesHandler } from './releases.handler.ts';
import { promotionHandler } from './promotion.handler.ts';

export type Handler = (ctx: HandlerContext) => Promise<void>;

/** One handler per verb: the compiler refuses a verb without one. */
export const HANDLERS: Record<Verb, Handler> = {
  help: helpHandler,
  status: statusHandler,
  nodes: nodesHandler,
  health: healthHandler,
  upgrade: changeHandler,
  provision: provisionHandler,
  decommission: provisionHandler,
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
  plan: planHandler,
  sync: syncHandler,
  alerts: alertsHandler,
  ack: ackHandler,
  silence: silenceHandler,
  run: runHandler,
  chart: chartHandler,
  releases: releasesHandler,
  promotion: promotionHandler,
};
