import { existsSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';

/** Is `child` the directory `parent` or inside it (both absolute, normalised)? */
export function isInside(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel) && rel.split(sep)[0] !== '..');
}

/** The real path of `p`, or of its nearest existing ancestor with the rest appended (a plan_dir may not exist yet). */
export function realPathOf(p: string): string {
  let existing = p;
  const rest: string[] = [];
  while (!existsSync(existing)) {
    const up = dirname(existing);
    if (up === existing) break;
    rest.unshift(existing.slice(up.length).replace(/^[/\\]/, ''));
    existing = up;
  }
  let real = existing;
  try {
    real = realpathSync(existing);
  } catch {
    // unreadable: compare the path as written
  }
  return rest.length ? resolve(real, ...rest) : real;
}

/**
 * Why a fleet-file path may not be used, or undefined when it is fine: relative, no `..`, and —
 * symlinks resolved — inside `root`. `from` is the directory the path is relative to.
 */
export function pathProblem(value: string, from: string, root: string): string | undefined {
  if (isAbsolute(value) || /^[A-Za-z]:[\\/]/.test(value)) return `"${value}" is an absolute path — use a path relative to the fleet file, inside ${root}`;
  if (value.split(/[\\/]/).includes('..')) return `"${value}" contains ".." — use a path inside the fleet repository (${root}) without ".."`;
  const full = resolve(from, value);
  if (!isInside(root, full)) return `"${value}" resolves to ${full}, outside the fleet repository ${root} — move it inside`;
  const realRoot = realPathOf(root);
  const real = realPathOf(full);
  if (!isInside(realRoot, real)) return `"${value}" is a symlink (or lies under one) that leads to ${real}, outside the fleet repository ${realRoot} — replace the link with the file itself`;
  return undefined;
}
