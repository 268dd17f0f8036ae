import type { Fleet } from '../fleet/fleet.schema.ts';

/**
 * The person behind an actor key (`slack:T1/U2`, `discord:123`, `console:alice`): the linked
 * identity's name when the fleet file lists it under `identities:`, else the key itself. Approvals
 * are counted per person, and none of the requester's ids may approve their own request.
 */
export function personOf(fleet: Fleet, key: string): string {
  const colon = key.indexOf(':');
  const platform = key.slice(0, colon);
  const id = key.slice(colon + 1);
  for (const p of fleet.identities ?? []) {
    const ids = platform === 'slack' ? p.slack : platform === 'discord' ? p.discord : platform === 'console' ? p.console : platform === 'telegram' ? p.telegram : [];
    if (ids.includes(id)) return `person:${p.name}`;
  }
  return key;
}

/** Are two actor keys the same person? */
export function samePerson(fleet: Fleet, a: string, b: string): boolean {
  return a === b || personOf(fleet, a) === personOf(fleet, b);
}

/** How many distinct people are among these actor keys. */
export function countPeople(fleet: Fleet, keys: readonly string[]): number {
  return new Set(keys.map((k) => personOf(fleet, k))).size;
}
