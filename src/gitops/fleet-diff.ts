import { formatDuration } from '../command/parse.ts';
import type { Fleet } from '../fleet/fleet.schema.ts';

/** One change of desired state: `groups.eth.desired_version  7.9.2 → 7.10.0`. */
export interface FleetChange {
  what: string;
  before: string;
  after: string;
}

const DURATION_KEY = /(interval|timeout|expires|soak|max_head_age)$/;

function show(path: string, v: unknown): string {
  if (v === undefined) return '—';
  if (typeof v === 'number' && DURATION_KEY.test(path)) return formatDuration(v);
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

/** Leaves of a JSON value keyed by dotted path (arrays of scalars stay whole: waves, role members). */
function flatten(value: unknown, path: string, out: Map<string, unknown>): void {
  if (Array.isArray(value) && value.every((x) => x === null || typeof x !== 'object')) {
    out.set(path, value);
    return;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) flatten(v, path ? `${path}.${k}` : k, out);
    return;
  }
  out.set(path, value);
}

/**
 * What changes in desired state if `next` replaces `prev`: versions, shapes, thresholds, approval
 * rules, rollout policy, roles (as member counts), and nodes (per environment/group count, plus
 * each added, removed or changed node).
 */
export function diffFleets(prev: Fleet, next: Fleet): FleetChange[] {
  const { nodes: prevNodes, ...prevRest } = prev;
  const { nodes: nextNodes, ...nextRest } = next;
  const a = new Map<string, unknown>();
  const b = new Map<string, unknown>();
  flatten(prevRest, '', a);
  flatten(nextRest, '', b);
  const changes: FleetChange[] = [];
  for (const path of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const before = a.get(path);
    const after = b.get(path);
    if (JSON.stringify(before) === JSON.stringify(after)) continue;
    if (path.startsWith('roles.') && (Array.isArray(before) || Array.isArray(after))) {
      const was = new Set((before as string[] | undefined) ?? []);
      const now = new Set((after as string[] | undefined) ?? []);
      const added = [...now].filter((x) => !was.has(x));
      const removed = [...was].filter((x) => !now.has(x));
      changes.push({ what: path, before: `${was.size} members`, after: `${now.size} members (${[...added.map((x) => `+${x}`), ...removed.map((x) => `−${x}`)].join(' ')})` });
      continue;
    }
    changes.push({ what: path, before: show(path, before), after: show(path, after) });
  }
  // Node counts per environment/group, then the nodes themselves.
  const countOf = (nodes: Fleet['nodes']) => nodes.reduce((m, n) => m.set(`${n.env}/${n.group}`, (m.get(`${n.env}/${n.group}`) ?? 0) + 1), new Map<string, number>());
  const ca = countOf(prevNodes);
  const cb = countOf(nextNodes);
  for (const key of [...new Set([...ca.keys(), ...cb.keys()])].sort()) {
    if ((ca.get(key) ?? 0) !== (cb.get(key) ?? 0)) changes.push({ what: `nodes in ${key}`, before: String(ca.get(key) ?? 0), after: String(cb.get(key) ?? 0) });
  }
  const byName = (nodes: Fleet['nodes']) => new Map(nodes.map((n) => [n.name, n]));
  const na = byName(prevNodes);
  const nb = byName(nextNodes);
  for (const name of [...new Set([...na.keys(), ...nb.keys()])].sort()) {
    const x = na.get(name);
    const y = nb.get(name);
    if (!x) changes.push({ what: `node ${name}`, before: '—', after: `added (${y!.env}/${y!.group})` });
    else if (!y) changes.push({ what: `node ${name}`, before: `${x.env}/${x.group}`, after: 'removed' });
    else if (JSON.stringify(x) !== JSON.stringify(y)) {
      const fields = [...new Set([...Object.keys(x), ...Object.keys(y)])].filter((k) => JSON.stringify((x as Record<string, unknown>)[k]) !== JSON.stringify((y as Record<string, unknown>)[k]));
      changes.push({ what: `node ${name}`, before: 'as before', after: `changed: ${fields.join(', ')}` });
    }
    // Where the bot connects and with what credentials, in full: rpc_url, rpc_auth, ssh host and key pin, Ansible vars.
    if (y && JSON.stringify(x) !== JSON.stringify(y)) changes.push(...leafChanges(`nodes.${name}`, x ?? {}, y));
  }
  return changes;
}

function leafChanges(prefix: string, before: unknown, after: unknown): FleetChange[] {
  const a = new Map<string, unknown>();
  const b = new Map<string, unknown>();
  flatten(before, prefix, a);
  flatten(after, prefix, b);
  return [...new Set([...a.keys(), ...b.keys()])]
    .filter((k) => /\.(rpc_url|rpc_auth|ssh|ansible_vars)(\.|$)/.test(k) && JSON.stringify(a.get(k)) !== JSON.stringify(b.get(k)))
    .sort()
    .map((k) => ({ what: k, before: show(k, a.get(k)), after: show(k, b.get(k)) }));
}
