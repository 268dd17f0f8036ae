/** Median of a non-empty list (lower middle for an even count). */
export function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN;
}

/** Samples `process.memoryUsage.rss()` every `everyMs` until `stop()`, which returns the peak in bytes. */
export function trackPeakRss(everyMs = 10): { stop: () => number } {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage.rss());
    },
  };
}

/** Runs `fn`, returning its value with wall time (ms) and peak RSS (bytes) over the run. */
export async function measure<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number; rss: number }> {
  const rss = trackPeakRss();
  const start = performance.now();
  const value = await fn();
  const ms = performance.now() - start;
  return { value, ms, rss: rss.stop() };
}

export const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
export const secs = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
export const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
