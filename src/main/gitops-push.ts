import { RedisGitopsLedger } from '../../adapters/gitops/gitops-ledger.redis.ts';
import { gitopsWebhookRoute } from '../../adapters/gitops/gitops-webhook.route.ts';
import type { HttpRoute } from '../../adapters/metrics/metrics-route.ts';
import type { Platform } from '../chat/chat-event.ts';
import { gitopsOf } from '../gitops/gitops.deps.ts';
import { previewChannels, readGitopsHookEnv } from '../gitops/gitops-hook-env.ts';
import { PushAnnouncer } from '../gitops/push-announcer.ts';
import { storePrefix } from '../ports/key-layout.ts';
import type { Runtime } from './runtime.ts';

/**
 * The bot's GitOps push side (docs/gitops.md): the POST /gitops/webhook route and the poller, both
 * feeding one announcer that posts the `sync` preview in the ops channel. Undefined when the fleet file
 * does not come from git (there is no ref to follow; the route then answers 404 like any unknown path).
 */
export function startGitopsPush(rt: Runtime, connected: () => Platform[], source: NodeJS.ProcessEnv = process.env): { route: HttpRoute; announcer: PushAnnouncer; stop(): Promise<void> } | undefined {
  const g = gitopsOf(rt.core);
  if (!g || g.source.kind !== 'git' || !g.source.ref) {
    rt.logger.info({}, 'gitops push: off — the fleet file does not come from git (CHAINOPS_FLEET_GIT), so POST /gitops/webhook answers 404 and nothing is polled');
    return undefined;
  }
  const env = readGitopsHookEnv(source);
  // Under the fleet store's tag with the rest of src/gitops (docs/redis-keys.md); closed by rt.close().
  const ledger = new RedisGitopsLedger(rt.connect('state'), { prefix: storePrefix(rt.prefix, 'fleet'), clock: rt.core.clock });
  const announcer = new PushAnnouncer({
    gitops: g,
    ledger,
    outbox: rt.outbox,
    audit: rt.audit,
    clock: rt.core.clock,
    logger: rt.logger,
    debounceMs: env.CHAINOPS_GITOPS_DEBOUNCE_MS,
    channels: () => previewChannels(env.CHAINOPS_GITOPS_CHANNEL, rt.fleet(), connected()),
  });
  if (!env.CHAINOPS_GITOPS_WEBHOOK_SECRET) {
    rt.logger.warn({}, 'gitops push: CHAINOPS_GITOPS_WEBHOOK_SECRET is not set, so POST /gitops/webhook answers 503; set it to the GitHub/GitLab webhook secret (polling still runs)');
  }
  const route = gitopsWebhookRoute({
    secret: env.CHAINOPS_GITOPS_WEBHOOK_SECRET,
    followedRef: g.source.ref,
    onPush: (why) => announcer.nudge(why),
    audit: rt.audit,
    ledger,
    clock: rt.core.clock,
    logger: rt.logger,
  });
  announcer.startPolling(env.CHAINOPS_FLEET_POLL_MS);
  rt.logger.info({ ref: g.source.ref, pollMs: env.CHAINOPS_FLEET_POLL_MS, webhook: Boolean(env.CHAINOPS_GITOPS_WEBHOOK_SECRET) }, 'gitops push: following the fleet ref');
  return { route, announcer, stop: () => announcer.stop() };
}
