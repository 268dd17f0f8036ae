/**
 * Split ordered targets into waves. Sizes are counts (`1`) or percentages of the whole (`25%`),
 * cumulative like Ansible's `serial`: `[1, '25%', '100%']` on 8 nodes → 1, 2, 5. The last wave
 * always takes the rest, so no target is ever left out.
 */
export function splitWaves<T>(targets: readonly T[], sizes: ReadonlyArray<number | string>): T[][] {
  const waves: T[][] = [];
  let i = 0;
  for (const size of sizes) {
    if (i >= targets.length) break;
    const n = typeof size === 'number' ? size : Math.max(1, Math.ceil((targets.length * parseInt(size, 10)) / 100));
    const take = Math.max(1, Math.min(n, targets.length - i));
    waves.push(targets.slice(i, i + take));
    i += take;
  }
  if (i < targets.length) waves.push(targets.slice(i));
  return waves;
}

/** Parse `1,25%,100%` (already pattern-checked by the grammar) into wave sizes. */
export function parseWaves(text: string): Array<number | string> {
  return text.split(',').map((w) => (w.endsWith('%') ? w : Number(w)));
}
