import type { Alert, Silence } from './alert.types.ts';

/** Does the silence cover this alert? Alert silences match the alert's key, so a re-fire stays muted. */
export function silenceMatches(s: Silence, a: Pick<Alert, 'key' | 'node' | 'group' | 'rule'>): boolean {
  switch (s.kind) {
    case 'alert': return a.key === s.match;
    case 'node': return a.node === s.match;
    case 'group': return a.group === s.match;
    case 'rule': return a.rule === s.match;
  }
}

/** The unexpired silence covering the alert that lasts longest, if any. */
export function silenceFor(silences: readonly Silence[], a: Pick<Alert, 'key' | 'node' | 'group' | 'rule'>, now: number): Silence | undefined {
  let best: Silence | undefined;
  for (const s of silences) {
    if (s.until > now && silenceMatches(s, a) && (!best || s.until > best.until)) best = s;
  }
  return best;
}
