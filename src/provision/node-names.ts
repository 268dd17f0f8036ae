import { NAME_RE } from '../fleet/names.ts';

/**
 * Names for `count` new nodes of a group: `<group>-<n>` with the lowest numbers not used by any node
 * in the fleet or the group's state (numbers of removed nodes are reused only once they are gone).
 */
export function nextNodeNames(group: string, count: number, taken: Iterable<string>): string[] {
  const used = new Set(taken);
  const out: string[] = [];
  for (let n = 1; out.length < count; n++) {
    const name = `${group}-${n}`;
    if (!NAME_RE.test(name)) throw new Error(`group name ${group} is too long to name nodes after it`);
    if (!used.has(name)) out.push(name);
    if (n > 100_000) throw new Error('no free node name');
  }
  return out;
}
