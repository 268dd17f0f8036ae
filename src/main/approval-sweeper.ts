import { expireApprovals, type ExpiryDeps } from '../approval/expire-approvals.ts';
import { errorMessage } from '../errors.ts';
import type { Logger } from '../pipeline/deps.ts';

/** How often a bot replica looks for approvals past their expiry. @defaultValue 15 s (edited within a minute) */
export const APPROVAL_SWEEP_MS = 15_000;

/**
 * A timer in every bot replica (not a scheduled worker job): approvals, their messages and the chat
 * connections live with the bot, a worker-less `chainops bot` install still closes them, and the
 * compare-and-set in `expireApprovals` makes concurrent replicas safe without a schedule to upsert.
 */
export function startApprovalSweeper(deps: ExpiryDeps & { logger: Logger }, everyMs = APPROVAL_SWEEP_MS): { stop(): void } {
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      const closed = await expireApprovals(deps);
      if (closed.length) deps.logger.info({ approvals: closed }, 'closed expired approvals');
    } catch (err) {
      deps.logger.warn({ err: errorMessage(err) }, 'approval expiry sweep failed; trying again at the next tick');
    } finally {
      running = false;
    }
  };
  void tick();
  const timer = setInterval(() => void tick(), everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
