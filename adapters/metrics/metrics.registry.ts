import { collectDefaultMetrics, Registry } from 'prom-client';
import { registerBotMetrics, type CommandLabels } from './bot-gauges.ts';
import { registerNodeGauges } from './node-gauges.ts';
import { loadFrame, type MetricsSources, type ScrapeFrame } from './scrape-frame.ts';

export type { CommandLabels } from './bot-gauges.ts';
export type { JobCounts, MetricsSources } from './scrape-frame.ts';

/** Options of `createMetrics`. */
export interface MetricsOptions extends MetricsSources {
  /** Node.js process metrics (`chainops_process_*`, `chainops_nodejs_*`). @defaultValue true */
  processMetrics?: boolean;
}

/** One registry of ChainOps metrics, read from its sources at scrape time. */
export interface ChainopsMetrics {
  readonly registry: Registry;
  /** `text/plain; version=0.0.4; charset=utf-8` */
  readonly contentType: string;
  /** The exposition text. Concurrent scrapes share one read of the sources; never rejects for a failed source. */
  scrape(): Promise<string>;
  /** Counts one command or button press. */
  countCommand(labels: CommandLabels): void;
}

/**
 * Builds the registry: per-node gauges from the latest snapshots judged by `assessFleet`, plus jobs,
 * alerts and command counts. Values are computed in the collectors of a scrape, so a fleet of any
 * size costs one snapshot read per scrape and no timers.
 */
export function createMetrics(opts: MetricsOptions): ChainopsMetrics {
  const registry = new Registry();
  let current: Promise<ScrapeFrame> | undefined;
  // Collectors run in parallel within a scrape: they all wait on the scrape's one frame.
  const frame = () => current ?? loadFrame(opts);
  registerNodeGauges(registry, frame);
  const bot = registerBotMetrics(registry, frame);
  if (opts.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'chainops_' });

  let inFlight: Promise<string> | undefined;
  const scrapeOnce = async (): Promise<string> => {
    current = loadFrame(opts);
    try {
      return await registry.metrics();
    } finally {
      current = undefined;
    }
  };
  return {
    registry,
    contentType: registry.contentType,
    scrape: () => (inFlight ??= scrapeOnce().finally(() => (inFlight = undefined))),
    countCommand: bot.countCommand,
  };
}
