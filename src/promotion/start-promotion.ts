import type { Conversation, Platform } from '../chat/chat-event.ts';
import type { Message } from '../chat/message.ts';
import { UserError } from '../errors.ts';
import { requireEnv, requireGroup } from '../fleet/fleet.lookup.ts';
import type { Fleet, Role } from '../fleet/fleet.schema.ts';
import type { CoreDeps } from '../pipeline/deps.ts';
import { FIRST_POST_LEASE_MS, firstPostLock } from '../pipeline/outbox-delivery.ts';
import type { PromotionStore } from '../ports/promotion.port.ts';
import { promotionMessage } from '../render/promotion.message.ts';
import { promotionIdFrom, tickJobId } from './promotion-ids.ts';
import type { PromotionRecord } from './promotion.record.ts';

/** Who starts promotions for new releases (the requester of their approvals). */
export const RELEASE_WATCH_ACTOR = 'chainops:release-watch';

export interface StartPromotion {
  group: string;
  version: string;
  startedBy: string;
  starterRole: Role;
  via: PromotionRecord['via'];
  conversation: Conversation;
  /** Seed of the id (chat delivery id, release): a retried start finds the promotion it started. */
  seed?: string | undefined;
}

/** The promotion store, or a plain refusal where this process has none. */
export function promotionsOf(deps: CoreDeps): PromotionStore {
  if (!deps.promotions) throw new UserError('not_implemented', 'promotions are not set up in this process (they need Redis: run the bot with REDIS_URL)');
  return deps.promotions;
}

/**
 * Start a promotion of `version` through the group's `promotion.stages`: store it as the group's one
 * active promotion, queue its first tick, and post its message (`post`, under `promotion:<id>`).
 */
export async function startPromotion(deps: CoreDeps, input: StartPromotion, post: (key: string, message: Message) => Promise<void>): Promise<{ rec: PromotionRecord; created: boolean }> {
  const store = promotionsOf(deps);
  const fleet = deps.fleet();
  const cfg = requireGroup(fleet, input.group).promotion;
  if (!cfg) throw new UserError('not_found', `group \`${input.group}\` has no \`promotion:\` in the fleet file — add its stages, e.g. \`promotion: { stages: [{ env: dev }, { env: prod }] }\` (docs/promotion.md)`);
  for (const s of cfg.stages) requireEnv(fleet, s.env);
  const id = input.seed ? promotionIdFrom(input.seed) : `pr-${deps.newId()}`;
  const existing = await store.get(id);
  if (existing) return { rec: existing, created: false };
  const now = deps.clock.now();
  const rec: PromotionRecord = {
    id, group: input.group, version: input.version, status: 'running', stage: 0,
    stages: cfg.stages.map((s) => ({ env: s.env, state: 'pending' })),
    startedBy: input.startedBy, starterRole: input.starterRole, via: input.via,
    reportKey: `promotion:${id}`, conversation: input.conversation, tick: 0,
    history: [{ at: now, text: `started by ${input.startedBy}: ${cfg.stages.map((s) => s.env).join(' → ')}` }],
    createdAt: now, updatedAt: now,
  };
  const made = await store.create(rec);
  if (!made.ok) {
    throw new UserError('conflict', `${input.group} already has promotion ${made.active} under way — see \`/chainops promotion status ${input.group}\`; abort it first to promote another version`);
  }
  // Hold the first post of its message until it is posted, so a fast first tick edits it, never posts a second.
  const holder = `start-${id}`;
  const lock = await deps.state.acquireLock(firstPostLock(rec.reportKey), holder, 'first post', FIRST_POST_LEASE_MS);
  try {
    await deps.queue.enqueue('promotion', tickJobId(id, 0), { v: 1, promotionId: id, tick: 0 });
    await deps.audit.append({ at: now, actor: input.startedBy, action: 'promotion.start', detail: `${id} ${input.group} → ${input.version} (${cfg.stages.map((s) => s.env).join(' → ')})`, outcome: 'ok', ref: id });
    await post(rec.reportKey, promotionMessage(rec, now));
  } finally {
    if (lock.ok) await deps.state.releaseLock(firstPostLock(rec.reportKey), holder);
  }
  return { rec, created: true };
}

/** Where a promotion nobody typed reports: the first stage environment's channel (Slack, Discord, Telegram, console). */
export function opsConversation(fleet: Fleet, group: string): Conversation {
  const stages = fleet.groups[group]?.promotion?.stages ?? [];
  for (const s of stages) {
    const ch = fleet.environments[s.env]?.channels ?? {};
    for (const platform of ['slack', 'discord', 'telegram', 'console'] as Platform[]) {
      const id = ch[platform];
      if (id) return { platform, channelId: id };
    }
  }
  return { platform: 'console', channelId: 'promotions' };
}

/** A new release the release watch saw (its `onNewRelease` callback). */
export interface NewRelease {
  group: string;
  version: string;
  url?: string;
  publishedAt?: string;
}

/**
 * Wire to the release watcher's `onNewRelease`: starts a promotion of the new version when the
 * group's `promotion.start` is `on_release`; otherwise does nothing. A group with a promotion under
 * way keeps it (the new version is audited as not started). Never throws for such refusals.
 */
export async function startPromotionOnRelease(deps: CoreDeps, e: NewRelease): Promise<void> {
  const fleet = deps.fleet();
  if (fleet.groups[e.group]?.promotion?.start !== 'on_release') return;
  const conversation = opsConversation(fleet, e.group);
  try {
    await startPromotion(deps, { group: e.group, version: e.version, startedBy: RELEASE_WATCH_ACTOR, starterRole: 'operator', via: 'on_release', conversation, seed: `release:${e.group}:${e.version}` },
      (key, message) => deps.outbox.publish({ op: 'upsert', key, conversation, message }));
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    await deps.audit.append({ at: deps.clock.now(), actor: RELEASE_WATCH_ACTOR, action: 'promotion.start', detail: `${e.group} → ${e.version} not started: ${err.message}`.slice(0, 500), outcome: 'refused' });
    deps.logger.warn({ group: e.group, version: e.version, err: err.message }, 'new release: promotion not started');
  }
}
