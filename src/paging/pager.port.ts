import type { PageEvent } from './page-plan.ts';
import type { PageTarget } from './page-target.schema.ts';

/**
 * Sends one event to one pager. Throws on failure; an error carrying `retryAfterMs` (HTTP 429) says
 * when to try again. The adapter reads the target's secret from the environment it was given.
 */
export interface Pager {
  send(target: PageTarget, event: PageEvent): Promise<void>;
}

/**
 * Claims on "this transition of this alert was sent to this target", shared by every replica, so a
 * page is never sent twice: `begin` takes a short claim before sending (false when someone holds or
 * finished it), `done` makes it permanent, `abandon` drops it after a failure so a retry may send.
 */
export interface PageClaims {
  state(key: string): Promise<'sent' | 'sending' | undefined>;
  begin(key: string, holdMs: number): Promise<boolean>;
  done(key: string): Promise<void>;
  abandon(key: string): Promise<void>;
}
