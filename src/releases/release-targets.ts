import type { Conversation } from '../chat/chat-event.ts';
import { alertTargets } from '../alerts/routing.ts';
import type { Fleet } from '../fleet/fleet.schema.ts';

/** Environments a group has nodes in, in the fleet file's environment order. */
export function groupEnvs(fleet: Fleet, group: string): string[] {
  const used = new Set(fleet.nodes.filter((n) => n.group === group).map((n) => n.env));
  return Object.keys(fleet.environments).filter((e) => used.has(e));
}

/**
 * Where a group's release posts go: the channels its alerts go to (alerts.routes by environment and
 * chain, else the environment's channels), for every environment the group runs in, each channel once.
 */
export function releaseTargets(fleet: Fleet, group: string): Conversation[] {
  const g = fleet.groups[group];
  if (!g) return [];
  const envs = groupEnvs(fleet, group);
  const seen = new Set<string>();
  const out: Conversation[] = [];
  for (const env of envs.length ? envs : Object.keys(fleet.environments)) {
    for (const c of alertTargets(fleet, { scope: 'chain', group, env, chain: g.chain, network: g.network })) {
      const k = `${c.platform}:${c.channelId}`;
      if (!seen.has(k)) out.push(c);
      seen.add(k);
    }
  }
  return out;
}

/**
 * The environment an "Upgrade dev" button upgrades: the first stage of the group's promotion when
 * the fleet file has one (promotion: is another feature's key, read loosely), else `dev` when the
 * group runs there, else the first environment it runs in.
 */
export function firstStageEnv(fleet: Fleet, group: string): string | undefined {
  const g = fleet.groups[group] as unknown as { promotion?: { stages?: Array<string | { env?: string }> } } | undefined;
  const stage = g?.promotion?.stages?.[0];
  const fromPromotion = typeof stage === 'string' ? stage : stage?.env;
  if (fromPromotion && fleet.environments[fromPromotion]) return fromPromotion;
  const envs = groupEnvs(fleet, group);
  return envs.includes('dev') ? 'dev' : envs[0];
}

/** The outbox key of a release post on its n-th target (the first is `release:<group>:<version>`). */
export function releaseKey(group: string, version: string, target?: Conversation, index = 0): string {
  return index === 0 || !target ? `release:${group}:${version}` : `release:${group}:${version}:${target.platform}:${target.channelId}`;
}
