import { WEEKDAYS, type ChangeWindow } from './change-window.schema.ts';

const MIN = 60_000;
const DAY = 86_400_000;

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
}

/** The spans [start, end) of `w` that begin on the UTC day starting at `dayStart`. */
function spanOn(w: ChangeWindow, dayStart: number): [number, number] | undefined {
  if (!w.days.includes(WEEKDAYS[new Date(dayStart).getUTCDay()]!)) return undefined;
  const from = minutes(w.from);
  let to = minutes(w.to);
  if (to <= from) to += 24 * 60; // past midnight (or a whole day when from = to)
  return [dayStart + from * MIN, dayStart + to * MIN];
}

/**
 * Whether a change may start at `now` (UTC), and when the next window opens if not. No windows means
 * always open. `nextOpen` is undefined only when no window ever opens (every list names some day, so
 * that cannot happen with a valid fleet file).
 */
export function windowState(windows: readonly ChangeWindow[] | undefined, now: number): { open: boolean; closesAt?: number; nextOpen?: number } {
  if (!windows || windows.length === 0) return { open: true };
  const today = Math.floor(now / DAY) * DAY;
  let nextOpen: number | undefined;
  // Yesterday's windows may still run past midnight; a week and a day ahead finds every next opening.
  for (let d = -1; d <= 8; d++) {
    for (const w of windows) {
      const span = spanOn(w, today + d * DAY);
      if (!span) continue;
      if (span[0] <= now && now < span[1]) return { open: true, closesAt: span[1] };
      if (span[0] > now && (nextOpen === undefined || span[0] < nextOpen)) nextOpen = span[0];
    }
  }
  return nextOpen === undefined ? { open: false } : { open: false, nextOpen };
}

/** `mon-fri 09:00–17:00 UTC; sat 10:00–12:00 UTC` for people. */
export function describeWindows(windows: readonly ChangeWindow[] | undefined): string {
  if (!windows || windows.length === 0) return 'always open';
  return windows.map((w) => `${w.days.length === 7 ? 'daily' : w.days.join(',')} ${w.from}–${w.to} UTC`).join('; ');
}
