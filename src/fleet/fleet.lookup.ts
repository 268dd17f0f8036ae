import { UserError } from '../errors.ts';
import type { Environment, Fleet, NodeGroup } from './fleet.schema.ts';

/** The named environment, or a UserError that lists the known ones. */
export function requireEnv(fleet: Fleet, env: string): Environment {
  const found = fleet.environments[env];
  if (!found) throw new UserError('not_found', `environment \`${env}\` is not in the fleet file (known: ${Object.keys(fleet.environments).join(', ')})`);
  return found;
}

/** The named group, or a UserError that lists the known ones. */
export function requireGroup(fleet: Fleet, group: string): NodeGroup {
  const found = fleet.groups[group];
  if (!found) throw new UserError('not_found', `no group \`${group}\` in the fleet file (known: ${Object.keys(fleet.groups).join(', ') || '(none)'})`);
  return found;
}
