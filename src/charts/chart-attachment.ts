import type { ChartRequest } from './chart-request.ts';
import type { ChartSpec } from './kpi.types.ts';

/**
 * A chart attached to a message. The request says what to draw; `chart` holds the data once read
 * from the history (by the command handler, or just before delivery for alert threads). Each chat
 * adapter renders `chart` to a PNG: Slack uploads it into the thread, Discord attaches it, the
 * console writes it to a file and prints the path.
 */
export interface ChartAttachment {
  kind: 'chart';
  /** `lag-eth-1.png`: letters, digits, dots and dashes only. */
  filename: string;
  /** Alt text / title of the upload. */
  alt: string;
  request: ChartRequest;
  chart?: ChartSpec;
}

/** A safe file name for a chart: `<kpi>-<target>-<time>.png`. */
export function chartFilename(kpi: string, target: string, at: number): string {
  const clean = `${kpi}-${target}`.replace(/[^a-zA-Z0-9.-]+/g, '-').slice(0, 80);
  return `${clean}-${new Date(at).toISOString().replace(/[-:]/g, '').slice(0, 15)}.png`;
}
