import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChartAttachment } from '../../src/charts/chart-attachment.ts';
import { chartPng } from '../chart/chart-png.ts';

/** Where the console writes chart PNGs: `$CHAINOPS_DATA_DIR/charts`, else `<tmp>/chainops-charts`. */
export function defaultChartDir(env: NodeJS.ProcessEnv = process.env): string {
  return env['CHAINOPS_DATA_DIR'] ? join(env['CHAINOPS_DATA_DIR'], 'charts') : join(tmpdir(), 'chainops-charts');
}

/** Render a chart attachment to `<dir>/<filename>` and return the path; undefined when it has no data. */
export function writeChartFile(dir: string, a: ChartAttachment): string | undefined {
  if (!a.chart) return undefined;
  mkdirSync(dir, { recursive: true });
  const path = join(dir, a.filename.replace(/[^a-zA-Z0-9.-]/g, '-'));
  writeFileSync(path, chartPng(a.chart));
  return path;
}
