import type { Block, Message } from '../chat/message.ts';
import type { Fleet } from '../fleet/fleet.schema.ts';
import { clientMix, describeMix, supermajority } from '../health/client-mix.ts';
import type { FleetHealth } from '../health/fleet-health.ts';
import { describeCountdown, forkStates, type ForkState } from '../health/forks.ts';

/** Forks still ahead (or activated within the last day), nearest first. */
function upcoming(fleet: Fleet, health: FleetHealth, now: number): ForkState[] {
  const rank = (f: ForkState) => f.remainingMs ?? (f.remainingBlocks ?? 0) * 12_000;
  return forkStates(fleet, health, now)
    .filter((f) => !f.activated || rank(f) > -86_400_000)
    .sort((a, b) => rank(a) - rank(b));
}

/**
 * Lines for the top of `/chainops status`: the next forks' countdowns with how many nodes are not
 * ready, and the client mix per chain (⚠ where one client is above the supermajority share).
 */
export function chainTruthLines(fleet: Fleet, health: FleetHealth, now: number): string[] {
  const lines = upcoming(fleet, health, now).slice(0, 3).map((f) => `⏳ fork ${describeCountdown(f)}${f.unready.length ? ` · ${f.unready.length} node${f.unready.length === 1 ? '' : 's'} not ready` : ' · all nodes ready'}`);
  for (const m of clientMix(fleet, health)) {
    if (m.total < 2) continue;
    const top = supermajority(m, fleet.chain_truth.supermajority_pct);
    lines.push(`${top ? '⚠️' : '🧬'} clients ${m.chain}/${m.network} (${m.env}): ${describeMix(m)}${top ? ` — ${top.client} above ${fleet.chain_truth.supermajority_pct}%` : ''}`);
  }
  return lines;
}

/** `/chainops forks` (`status forks`): every fork of the fleet file, its countdown and the nodes not ready. */
export function forksMessage(fleet: Fleet, health: FleetHealth, now: number): Message {
  const states = forkStates(fleet, health, now);
  if (states.length === 0) {
    return { text: 'No forks scheduled', severity: 'info', blocks: [{ type: 'text', text: 'No forks scheduled for nodes of this fleet. Add them under `forks:` in the fleet file (name, chain, network, time or height, min_versions).' }] };
  }
  const rows = states.map((f) => [
    f.fork.name,
    `${f.fork.chain}/${f.fork.network} (${f.env})`,
    f.fork.time !== undefined ? new Date(f.fork.time).toISOString().replace('.000Z', 'Z') : `block ${f.fork.height}`,
    describeCountdown(f).replace(/^.*?\) /, ''),
    Object.entries(f.fork.min_versions).map(([c, v]) => `${c} ≥ ${v}`).join(', '),
    `${f.nodes.length - f.unready.length}/${f.nodes.length}`,
  ]);
  const blocks: Block[] = [
    { type: 'header', text: 'Hard forks' },
    { type: 'table', columns: ['fork', 'chain', 'activation', 'countdown', 'min versions', 'ready'], rows },
  ];
  const unready = states.flatMap((f) => f.unready.map((u) => `🔴 ${u.node}: ${u.client} ${u.version} < ${u.min} for ${f.fork.name}`));
  if (unready.length) blocks.push({ type: 'text', text: unready.slice(0, 20).join('\n') });
  const buttons = [...new Map(states.flatMap((f) => f.unready.map((u) => [`${u.group} ${u.min} --env ${u.env}`, u] as const))).entries()].slice(0, 5)
    .map(([value, u]) => ({ actionId: 'drift-upgrade', label: `Upgrade ${u.group} to ${u.min}`.slice(0, 75), value, style: 'primary' as const }));
  if (buttons.length) blocks.push({ type: 'actions', buttons });
  return { text: `Hard forks: ${states.length} scheduled, ${unready.length} node${unready.length === 1 ? '' : 's'} not ready`, severity: unready.length ? 'warn' : 'ok', blocks };
}
