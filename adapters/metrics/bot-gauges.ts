import { Counter, Gauge, type Registry } from 'prom-client';
import { ACTIVE_STATES, ALERT_SEVERITIES } from '../../src/alerts/alert.types.ts';
import type { ScrapeFrame } from './scrape-frame.ts';

/** Labels of `chainops_commands_total`; `verb` is a grammar verb, `invalid`, or `button`. */
export type CommandLabels = { platform: string; kind: 'command' | 'action'; verb: string };

/**
 * The bot's own metrics: commands received (counted as they arrive), jobs per queue and state, alerts
 * per state, and whether each scrape source could be read.
 */
export function registerBotMetrics(registry: Registry, frame: () => Promise<ScrapeFrame>): { countCommand(labels: CommandLabels): void } {
  const commands = new Counter({
    name: 'chainops_commands_total',
    help: 'Chat commands and button presses received, by platform, kind and verb',
    labelNames: ['platform', 'kind', 'verb'] as const,
    registers: [registry],
  });

  const jobs: Gauge<'queue' | 'state'> = new Gauge({
    name: 'chainops_jobs',
    help: 'Jobs per queue and BullMQ state (completed and failed: those still retained)',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      const f = await frame();
      jobs.reset();
      for (const [queue, states] of Object.entries(f.jobs ?? {})) {
        for (const [state, n] of Object.entries(states ?? {})) jobs.set({ queue, state }, n);
      }
    },
  });

  const alerts: Gauge<'state' | 'severity'> = new Gauge({
    name: 'chainops_alerts',
    help: 'Active alerts per state (pending, firing, acknowledged) and severity',
    labelNames: ['state', 'severity'],
    registers: [registry],
    async collect() {
      const f = await frame();
      alerts.reset();
      // Every known pair reads 0 rather than vanishing, so "no alerts" and "no data" look different.
      for (const state of ACTIVE_STATES) for (const severity of ALERT_SEVERITIES) alerts.set({ state, severity }, 0);
      for (const a of f.alerts ?? []) alerts.inc({ state: a.state, severity: a.severity });
    },
  });

  const sources: Gauge<'source'> = new Gauge({
    name: 'chainops_metrics_source_up',
    help: '1 when this scrape could read the source (snapshots, jobs, alerts), 0 when it failed or timed out',
    labelNames: ['source'],
    registers: [registry],
    async collect() {
      const f = await frame();
      sources.reset();
      for (const [source, up] of Object.entries(f.up)) sources.set({ source }, up);
    },
  });

  return { countCommand: (labels) => commands.inc(labels) };
}
