import type { Block, Message, Severity } from '../chat/message.ts';
import type { FleetHealth, GroupHealth, NodeHealth } from '../health/fleet-health.ts';
import { ago } from './basic.messages.ts';

const ICON: Record<NodeHealth['status'], string> = { healthy: '🟢', degraded: '🟡', down: '🔴', unknown: '⚪' };

function worst(groups: GroupHealth[]): Severity {
  if (groups.some((g) => g.down > 0)) return 'error';
  if (groups.some((g) => g.degraded > 0 || g.unknown > 0)) return 'warn';
  return 'ok';
}

function versions(g: GroupHealth): string {
  const list = Object.entries(g.versions).sort((a, b) => b[1] - a[1]).map(([v, n]) => `${v}×${n}`);
  return list.length ? list.join(' ') : '—';
}

/** `/chainops status`: one row per group and environment; `header` lines (fork countdown, client mix) go above the table. */
export function statusMessage(health: FleetHealth, now: number, header: string[] = []): Message {
  const rows = health.groups.map((g) => [
    `${g.env}/${g.group}`,
    `${g.chain} ${g.network}`,
    `${g.healthy}/${g.total}`,
    String(g.degraded),
    String(g.down),
    versions(g),
    g.desiredVersion,
    g.referenceHead === undefined ? '—' : String(g.referenceHead),
    g.maxLag === undefined ? '—' : String(g.maxLag),
  ]);
  const oldest = Math.min(...health.nodes.map((n) => n.snapshot?.at ?? now));
  const problems = health.nodes.filter((n) => n.status !== 'healthy');
  const blocks: Block[] = [
    { type: 'header', text: 'Fleet status' },
    ...(header.length ? [{ type: 'context' as const, text: header.join('\n') }] : []),
    { type: 'table', columns: ['group', 'chain', 'healthy', 'degraded', 'down', 'versions', 'desired', 'head', 'max lag'], rows },
  ];
  if (problems.length) {
    blocks.push({ type: 'text', text: problems.slice(0, 20).map((p) => `${ICON[p.status]} ${p.node}: ${p.reasons.join('; ')}`).join('\n') });
    if (problems.length > 20) blocks.push({ type: 'context', text: `…and ${problems.length - 20} more; see \`/chainops nodes\`` });
  }
  blocks.push({ type: 'context', text: `checked ${ago(now - oldest)} · ${health.nodes.length} nodes` });
  const healthy = health.nodes.filter((n) => n.status === 'healthy').length;
  return { text: `Fleet status: ${healthy}/${health.nodes.length} nodes healthy`, severity: worst(health.groups), blocks };
}

/** `/chainops nodes` and `/chainops health`: one row per node with what its RPC answered. */
export function nodesMessage(title: string, nodes: NodeHealth[], now: number): Message {
  const rows = nodes.map((n) => {
    const s = n.snapshot;
    return [
      `${ICON[n.status]} ${n.node}`,
      `${n.env}/${n.group}`,
      s?.client && s.version ? `${s.client} ${s.version}` : '—',
      s?.head === undefined ? '—' : String(s.head),
      n.lag === undefined ? '—' : String(n.lag),
      n.headAgeMs === undefined ? '—' : ago(n.headAgeMs).replace(' ago', ''),
      s?.peers === undefined ? '—' : String(s.peers),
      s ? `${Math.round(s.latencyMs)}ms` : '—',
      n.reasons.join('; ') || 'ok',
    ];
  });
  const severity: Severity = nodes.some((n) => n.status === 'down') ? 'error' : nodes.some((n) => n.status !== 'healthy') ? 'warn' : 'ok';
  const oldest = Math.min(...nodes.map((n) => n.snapshot?.at ?? now));
  return {
    text: `${title}: ${nodes.filter((n) => n.status === 'healthy').length}/${nodes.length} healthy`,
    severity,
    blocks: [
      { type: 'header', text: title },
      { type: 'table', columns: ['node', 'group', 'client', 'head', 'lag', 'head age', 'peers', 'rpc', 'notes'], rows },
      { type: 'context', text: `checked ${ago(now - oldest)}` },
    ],
  };
}
