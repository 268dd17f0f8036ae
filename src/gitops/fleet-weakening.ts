import { rank } from '../policy/roles.ts';
import { ROLES, type Fleet } from '../fleet/fleet.schema.ts';

const MEMBER_LISTS = ['slack', 'discord_users', 'discord_roles', 'console'] as const;

/**
 * What in `next` widens who may act or weakens an approval rule, compared with `prev` — each a
 * sentence for people. Such a revision needs a second admin to put it in force.
 */
export function weakenings(prev: Fleet, next: Fleet): string[] {
  const out: string[] = [];
  for (const role of ROLES) {
    for (const list of MEMBER_LISTS) {
      const was = new Set(prev.roles[role]?.[list] ?? []);
      const added = (next.roles[role]?.[list] ?? []).filter((m) => !was.has(m));
      if (added.length) out.push(`roles.${role}.${list} gains ${added.join(', ')}`);
    }
  }
  const grantKey = (g: Fleet['grants'][number]) => JSON.stringify(g);
  const oldGrants = new Set(prev.grants.map(grantKey));
  for (const g of next.grants) if (!oldGrants.has(grantKey(g))) out.push(`grants: ${g.role}${g.envs ? ` in ${g.envs.join(', ')}` : ' everywhere'}${g.groups ? ` for ${g.groups.join(', ')}` : ''} for ${MEMBER_LISTS.flatMap((l) => g[l]).join(', ') || '(nobody)'}`);
  if (JSON.stringify(prev.identities) !== JSON.stringify(next.identities)) out.push('identities change (who counts as one person for approvals)');
  if (!prev.console.allow_impersonation && next.console.allow_impersonation) out.push('console.allow_impersonation turns on');
  for (const [env, e] of Object.entries(next.environments)) {
    const p = prev.environments[env];
    if (!p) continue;
    const a = p.approval;
    const b = e.approval;
    if (b.required < a.required) out.push(`environments.${env}.approval.required ${a.required} → ${b.required}`);
    if (rank(b.approver_role) < rank(a.approver_role)) out.push(`environments.${env}.approval.approver_role ${a.approver_role} → ${b.approver_role}`);
    if (!a.self_approval && b.self_approval) out.push(`environments.${env}.approval.self_approval turns on`);
    if (b.expires > a.expires) out.push(`environments.${env}.approval.expires grows`);
    if (JSON.stringify(p.restrict) !== JSON.stringify(e.restrict)) out.push(`environments.${env}.restrict changes (which channels may run changes)`);
  }
  return out;
}
