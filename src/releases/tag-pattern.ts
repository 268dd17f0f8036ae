/** Longest tag pattern accepted; longer is a mistake, and a bound keeps matching cheap. */
export const MAX_TAG_PATTERN = 200;
/** Tags longer than this are not releases we can use (and are not matched, to bound regex time). */
export const MAX_TAG = 128;

// A group that repeats and contains a repeat (`(a+)+`, `(\d*)*`) can backtrack exponentially.
const NESTED_REPEAT = /\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)\s*[+*{]/;

/** Why a tag pattern is refused, or undefined when it is fine. */
export function checkTagPattern(pattern: string): string | undefined {
  if (pattern.length > MAX_TAG_PATTERN) return `keep the tag pattern under ${MAX_TAG_PATTERN} characters`;
  if (NESTED_REPEAT.test(pattern)) return 'the tag pattern repeats a group that itself repeats (such as (a+)+), which can take very long to match; simplify it';
  if (/\\[1-9]|\\k</.test(pattern)) return 'back-references are not allowed in a tag pattern';
  let re: RegExp;
  try {
    re = new RegExp(pattern);
  } catch {
    return 'the tag pattern is not a valid regular expression; use one such as ^v?(.+)$';
  }
  // One capture group at least: its text is the version (`new RegExp(p + '|')` counts the groups).
  const groups = (new RegExp(`${pattern}|`).exec('')?.length ?? 1) - 1;
  if (groups < 1 || !re) return 'the tag pattern needs a group around the version, such as ^v?(.+)$ or ^geth-v(\\d+\\.\\d+\\.\\d+)$';
  return undefined;
}

/** The version inside a tag, or undefined when the tag does not match (or is too long to bother). */
export function versionFromTag(tag: string, pattern: string): string | undefined {
  if (tag.length > MAX_TAG) return undefined;
  const m = new RegExp(pattern).exec(tag);
  const v = m?.[1];
  return v ? v.trim() : undefined;
}
