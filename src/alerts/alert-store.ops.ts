import type { AlertStore } from '../ports/alert.port.ts';
import type { Alert } from './alert.types.ts';
import type { AlertChange } from './evaluate.ts';

/** Persist one change by compare-and-set; true when it went through (then its notices may be published). */
export async function applyChange(store: AlertStore, c: AlertChange): Promise<boolean> {
  if (!c.before) return c.after ? store.create(c.after) : true;
  if (c.after === null) return store.drop(c.before.id, c.before.rev);
  return store.save(c.after, c.before.rev);
}

/**
 * Change one alert with `fn` under compare-and-set, re-reading on a conflict (a sweep saved in
 * between). `fn` returns the new alert, or a refusal string. Gives up after a few rounds.
 */
export async function updateAlert<T extends { alert: Alert }>(
  store: AlertStore,
  id: string,
  fn: (current: Alert) => T | string,
): Promise<T | string> {
  for (let round = 0; round < 5; round++) {
    const current = await store.get(id);
    if (!current) return `no alert \`${id}\` — see \`/chainops alerts\` for the ids of active alerts`;
    const out = fn(current);
    if (typeof out === 'string') return out;
    if (await store.save(out.alert, current.rev)) return { ...out, alert: { ...out.alert, rev: current.rev + 1 } };
  }
  return `${id} is changing fast right now (a sweep keeps saving it) — try again in a moment`;
}
