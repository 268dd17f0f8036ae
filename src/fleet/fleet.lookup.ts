import { closest } from '../command/suggest.ts';
import { UserError } from '../errors.ts';
import type { Environment, Fleet, NodeGroup } from './fleet.schema.ts';

/** ` — did you mean \`x\`?` when a known name is close to `given`, else ''. */
function didYouMean(given: string, known: readonly string[]): string {
  const best = closest(given, known);
  return best ? ` — did you mean \`${best}\`?` : '';
}

/** The named environment, or a UserError that lists the known ones. */
export function requireEnv(fleet: Fleet, env: string): Environment {
  const found = fleet.environments[env];
  const known = Object.keys(fleet.environments);
  if (!found) throw new UserError('not_found', `environment \`${env}\` is not in the fleet file${didYouMean(env, known)} (known: ${known.join(', ')})`);
  return found;
}

/** The named group, or a UserError that lists the known ones. */
export function requireGroup(fleet: Fleet, group: string): NodeGroup {
  const found = fleet.groups[group];
  const known = Object.keys(fleet.groups);
  if (!found) throw new UserError('not_found', `no group \`${group}\` in the fleet file${didYouMean(group, known)} (known: ${known.join(', ') || '(none)'})`);
  return found;
}

/** The fleet's names, for suggestions when a typed one does not fit (see parseCommand). */
export function nameHints(fleet: Fleet): { env: string[]; group: string[]; node: string[] } {
  return { env: Object.keys(fleet.environments), group: Object.keys(fleet.groups), node: fleet.nodes.map((n) => n.name) };
}
