const BARS = '▁▂▃▄▅▆▇█';

/**
 * A Unicode sparkline of at most `width` characters: each character is the highest value of its
 * slice of the points (a spike stays visible), a space is a gap.
 */
export function sparkline(values: ReadonlyArray<number | null>, width = 60): string {
  if (values.length === 0) return '';
  const per = Math.max(1, Math.ceil(values.length / width));
  const cells: Array<number | null> = [];
  for (let i = 0; i < values.length; i += per) {
    const slice = values.slice(i, i + per).filter((v): v is number => v !== null);
    cells.push(slice.length ? Math.max(...slice) : null);
  }
  const nums = cells.filter((v): v is number => v !== null);
  if (nums.length === 0) return ' '.repeat(cells.length);
  const lo = Math.min(...nums);
  const hi = Math.max(...nums);
  return cells.map((v) => (v === null ? ' ' : BARS[hi === lo ? 0 : Math.round(((v - lo) / (hi - lo)) * (BARS.length - 1))])).join('');
}
