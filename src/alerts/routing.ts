import type { Conversation, Platform } from '../chat/chat-event.ts';
import type { Fleet } from '../fleet/fleet.schema.ts';
import type { AlertSubject } from './alert.types.ts';

const PLATFORMS: readonly Platform[] = ['slack', 'discord', 'console', 'telegram'];

/**
 * Where an alert's thread goes, one conversation per platform that has a channel for it. Per
 * platform the first of: the rule's own `route`, the first matching `alerts.routes` entry (by
 * environment and chain), the environment's `channels`. No channel anywhere: no thread (logged).
 */
export function alertTargets(fleet: Fleet, subject: AlertSubject, ruleRoute?: { slack?: string; discord?: string; console?: string; telegram?: string }): Conversation[] {
  const out: Conversation[] = [];
  for (const p of PLATFORMS) {
    const route = fleet.alerts.routes.find((r) => (!r.env || r.env === subject.env) && (!r.chain || r.chain === subject.chain) && r[p]);
    const channel = ruleRoute?.[p] ?? route?.[p] ?? fleet.environments[subject.env]?.channels[p];
    if (channel) out.push({ platform: p, channelId: channel });
  }
  return out;
}
