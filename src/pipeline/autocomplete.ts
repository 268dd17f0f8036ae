import type { Actor } from '../chat/chat-event.ts';
import { roleOf } from '../policy/roles.ts';
import type { CoreDeps } from './deps.ts';

/**
 * Suggestions for a partly typed value (Discord autocomplete, Slack modals): up to 25, prefix first.
 * Fleet names are fleet data: someone with no role anywhere gets none.
 */
export async function autocomplete(deps: CoreDeps, kind: 'group' | 'node' | 'target' | 'env' | 'version', prefix: string, actor: Actor): Promise<string[]> {
  const fleet = deps.fleet();
  if (!roleOf(fleet, actor, 'any')) return [];
  const p = prefix.toLowerCase();
  let pool: string[] = [];
  if (kind === 'group') pool = Object.keys(fleet.groups);
  else if (kind === 'node') pool = fleet.nodes.map((n) => n.name);
  else if (kind === 'target') pool = [...Object.keys(fleet.groups), ...fleet.nodes.map((n) => n.name)];
  else if (kind === 'env') pool = Object.keys(fleet.environments);
  else {
    const running = (await deps.state.getSnapshots()).map((s) => s.version).filter((v): v is string => !!v);
    pool = [...Object.values(fleet.groups).map((g) => g.desired_version), ...running];
  }
  const unique = [...new Set(pool)];
  const starts = unique.filter((v) => v.toLowerCase().startsWith(p));
  const contains = unique.filter((v) => !v.toLowerCase().startsWith(p) && v.toLowerCase().includes(p));
  return [...starts.sort(), ...contains.sort()].slice(0, 25);
}
