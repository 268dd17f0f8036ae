/**
 * A small SemVer reader and range matcher for release filters (no npm dependency: the core may not
 * do I/O and the fleet file's ranges are simple). Versions may have 1–4 numeric parts (`0.21.2.1`,
 * Bitcoin Core forks) and an optional `-pre.release` tag; `+build` metadata is ignored.
 */
export interface SemVer {
  nums: number[];
  /** Dot-separated pre-release identifiers; empty for a release. */
  pre: string[];
}

const VERSION = /^v?(\d{1,9}(?:\.\d{1,9}){0,3})(?:-([0-9A-Za-z.-]{1,64}))?(?:\+[0-9A-Za-z.-]{1,64})?$/;

/** Read `v1.2.3-rc.1+build` → { nums: [1,2,3], pre: ['rc','1'] }; undefined when it is not a version. */
export function parseSemver(text: string): SemVer | undefined {
  const m = VERSION.exec(text.trim());
  if (!m) return undefined;
  return { nums: m[1]!.split('.').map(Number), pre: m[2] ? m[2].split('.') : [] };
}

export function isPrerelease(text: string): boolean {
  return (parseSemver(text)?.pre.length ?? 0) > 0;
}

/** Negative when `a` is older; missing parts count as 0; a pre-release is older than its release. */
export function compareSemver(a: SemVer, b: SemVer): number {
  for (let i = 0; i < Math.max(a.nums.length, b.nums.length, 3); i++) {
    const d = (a.nums[i] ?? 0) - (b.nums[i] ?? 0);
    if (d !== 0) return d;
  }
  if (!a.pre.length || !b.pre.length) return (b.pre.length ? 1 : 0) - (a.pre.length ? 1 : 0);
  for (let i = 0; i < Math.max(a.pre.length, b.pre.length); i++) {
    const x = a.pre[i];
    const y = b.pre[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (x === y) continue;
    const nx = /^\d+$/.test(x);
    const ny = /^\d+$/.test(y);
    if (nx && ny) return Number(x) - Number(y);
    if (nx !== ny) return nx ? -1 : 1; // numeric identifiers sort before alphanumeric ones
    return x < y ? -1 : 1;
  }
  return 0;
}

/** Compare two version strings; text that is not a version sorts before every version. */
export function compareVersionText(a: string, b: string): number {
  const x = parseSemver(a);
  const y = parseSemver(b);
  if (!x || !y) return (x ? 1 : 0) - (y ? 1 : 0);
  return compareSemver(x, y);
}

type Op = '>' | '>=' | '<' | '<=' | '=';
interface Comparator {
  op: Op;
  v: SemVer;
}
/** A range: any of the alternatives (`||`), each a list of comparators that must all hold. */
export type SemverRange = Comparator[][];

const PARTIAL = /^v?(\d{1,9}|[xX*])(?:\.(\d{1,9}|[xX*]))?(?:\.(\d{1,9}|[xX*]))?(?:\.(\d{1,9}))?(?:-([0-9A-Za-z.-]{1,64}))?$/;

function partial(text: string): { parts: number[]; pre: string[] } | undefined {
  const m = PARTIAL.exec(text);
  if (!m) return undefined;
  const parts: number[] = [];
  for (const p of [m[1], m[2], m[3], m[4]]) {
    if (p === undefined || /^[xX*]$/.test(p)) break;
    parts.push(Number(p));
  }
  return { parts, pre: m[5] ? m[5].split('.') : [] };
}

const ver = (nums: number[], pre: string[] = []): SemVer => ({ nums: [...nums, 0, 0, 0].slice(0, Math.max(3, nums.length)), pre });

/** The version right after the given prefix: [1,2] → 1.3.0; [1] → 2.0.0. */
function bump(parts: number[], at: number): SemVer {
  const head = parts.slice(0, at + 1);
  head[at] = (head[at] ?? 0) + 1;
  return ver(head);
}

/** Comparators of one space-separated term (`>=1.2`, `^1.2`, `~1.2.3`, `1.x`, `*`, `1.2.3`). */
function term(raw: string): Comparator[] | undefined {
  const m = /^(\^|~>?|>=|<=|>|<|=)?\s*(.*)$/.exec(raw);
  if (!m) return undefined;
  const op = m[1] ?? '';
  const p = partial(m[2] ?? '');
  if (!p) return undefined;
  const { parts, pre } = p;
  const n = parts.length;
  if (n === 0) return op === '<' || op === '>' ? [{ op: '<', v: ver([0], ['0']) }] : [];
  const low = ver(parts, pre);
  switch (op) {
    case '^': {
      // Caret: changes that do not touch the left-most non-zero part (npm's rule).
      const first = parts.findIndex((x) => x !== 0);
      const at = first === -1 ? n - 1 : Math.min(first, n - 1);
      return [{ op: '>=', v: low }, { op: '<', v: bump(parts, at) }];
    }
    case '~':
    case '~>':
      return [{ op: '>=', v: low }, { op: '<', v: bump(parts, n >= 2 ? 1 : 0) }];
    case '>':
      return n >= 3 ? [{ op: '>', v: low }] : [{ op: '>=', v: bump(parts, n - 1) }];
    case '<=':
      return n >= 3 ? [{ op: '<=', v: low }] : [{ op: '<', v: bump(parts, n - 1) }];
    case '>=':
    case '<':
      return [{ op, v: low }];
    default:
      // `1.2.3` is exact; `1.2`, `1.x`, `1` are the whole line.
      return n >= 3 ? [{ op: '=', v: low }] : [{ op: '>=', v: low }, { op: '<', v: bump(parts, n - 1) }];
  }
}

/** Parse a range such as `>=1.2.0 <2`, `^1.2`, `~1.2.3`, `1.x`, `*`, or `^1 || ^2`; undefined if unreadable. */
export function parseRange(text: string): SemverRange | undefined {
  if (text.length > 200) return undefined;
  const out: SemverRange = [];
  for (const alt of text.split('||')) {
    // `>= 1.2` is one term: join an operator to the version after it.
    const words = alt.trim().replace(/(\^|~>?|>=|<=|>|<|=)\s+/g, '$1').split(/\s+/).filter(Boolean);
    const cmps: Comparator[] = [];
    for (const w of words) {
      const c = term(w);
      if (!c) return undefined;
      cmps.push(...c);
    }
    out.push(cmps);
  }
  return out;
}

function holds(c: Comparator, v: SemVer): boolean {
  // `<2` means "before the 2 line": 2.0.0-rc.1 sorts before 2.0.0 but belongs to the 2 line.
  if (c.op === '<' && !c.v.pre.length && v.pre.length) return compareSemver({ nums: v.nums, pre: [] }, c.v) < 0;
  const d = compareSemver(v, c.v);
  switch (c.op) {
    case '>': return d > 0;
    case '>=': return d >= 0;
    case '<': return d < 0;
    case '<=': return d <= 0;
    case '=': return d === 0;
  }
}

/**
 * Whether `version` is in `range`. Pre-releases are judged by their numbers alone (the release
 * filter decides separately whether pre-releases are wanted at all), so `^1.2` admits `1.3.0-rc.1`.
 */
export function satisfies(version: string, range: SemverRange | string): boolean {
  const v = parseSemver(version);
  const r = typeof range === 'string' ? parseRange(range) : range;
  if (!v || !r) return false;
  return r.some((alt) => alt.every((c) => holds(c, v)));
}
