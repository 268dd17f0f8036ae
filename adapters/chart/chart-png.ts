import { Resvg } from '@resvg/resvg-js';
import type { ChartSpec } from '../../src/charts/kpi.types.ts';
import { chartSvg, type ChartStyle } from './chart-svg.ts';

/**
 * The chart as PNG bytes, rasterised in process by resvg (Rust, no browser, no canvas; see
 * docs/charts.md for the cost). Labels use the system's fonts (DejaVu on Debian: `fonts-dejavu-core`);
 * without any font the lines are still drawn and the labels are left out.
 */
export function chartPng(spec: ChartSpec, style: Partial<ChartStyle> = {}): Buffer {
  const svg = chartSvg(spec, style);
  const resvg = new Resvg(svg, { font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' }, background: '#ffffff' });
  return resvg.render().asPng();
}
