import { createHash } from 'node:crypto';

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
type Unit = keyof typeof UNIT_MS;

/** A stage's delay: a fixed time, or a range picked from once per promotion and stage. */
export interface DelayRange {
  minMs: number;
  maxMs: number;
}

/** `30s`, `5m`, `2h`, `1d` (or a bare number of seconds) in milliseconds; undefined when it is not one. */
export function durationMs(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isInteger(text) && text >= 0 ? text * 1_000 : undefined;
  const m = /^(\d{1,9})(ms|s|m|h|d)$/.exec(text.trim());
  return m ? Number(m[1]) * UNIT_MS[m[2] as Unit] : text.trim() === '0' ? 0 : undefined;
}

/**
 * `0-6h` (the lower bound takes the upper's unit when it has none), `30m-2h`, or one duration such
 * as `45m` (min = max). Undefined when the text is neither, or the range runs backwards.
 */
export function parseDelay(text: string | number): DelayRange | undefined {
  if (typeof text === 'string') {
    const m = /^(\d{1,9})(ms|s|m|h|d)?\s*-\s*(\d{1,9})(ms|s|m|h|d)$/.exec(text.trim());
    if (m) {
      const minMs = Number(m[1]) * UNIT_MS[(m[2] ?? m[4]) as Unit];
      const maxMs = Number(m[3]) * UNIT_MS[m[4] as Unit];
      return minMs <= maxMs ? { minMs, maxMs } : undefined;
    }
  }
  const fixed = durationMs(text);
  return fixed === undefined ? undefined : { minMs: fixed, maxMs: fixed };
}

/**
 * The delay for one promotion and stage, picked from the range by a hash of `seed`: spread like a
 * random pick (DAppNode's random delay spreads fleets over the window), yet the same on every retry
 * of the same tick, so a re-delivered job never picks a second, different start time.
 */
export function pickDelay(range: DelayRange, seed: string): number {
  if (range.maxMs <= range.minMs) return range.minMs;
  const x = createHash('sha256').update(seed).digest().readUInt32BE(0) / 0x1_0000_0000;
  return range.minMs + Math.floor(x * (range.maxMs - range.minMs + 1));
}

/** `1h 30m`, `45s`, `0s`: a duration for people. */
export function humanMs(ms: number): string {
  if (ms < 1_000) return `${Math.max(0, Math.round(ms))}ms`;
  const parts: string[] = [];
  let left = Math.round(ms / 1_000);
  for (const [unit, size] of [['d', 86_400], ['h', 3_600], ['m', 60], ['s', 1]] as const) {
    if (left >= size) {
      parts.push(`${Math.floor(left / size)}${unit}`);
      left %= size;
    }
  }
  return parts.slice(0, 2).join(' ');
}
