import { VERSION_RE } from '../fleet/names.ts';
import { DEFAULT_TAG_PATTERN, type ReleaseSourceConfig } from './release-source.schema.ts';
import type { RawRelease, Release } from './release.types.ts';
import { compareVersionText, isPrerelease, parseRange, satisfies } from './semver.ts';
import { versionFromTag } from './tag-pattern.ts';

/** Most releases kept per group: enough for `releases` and the upgrade check, small in Redis. */
export const MAX_KEPT = 200;
const NOTES_SCAN = 20_000;
const SECURITY = /\b(?:security|CVE-\d{4}-\d{4,}|CVE|vulnerabilit(?:y|ies))\b/i;

/** The notes say the release fixes something security-relevant (security, CVE, vulnerability). */
export function mentionsSecurity(text: string | undefined): boolean {
  return !!text && SECURITY.test(text.slice(0, NOTES_SCAN));
}

/**
 * The releases worth knowing, newest first: no drafts; the version read from the tag (GitHub) must
 * be a version chat commands accept (so an Upgrade button always works); pre-releases only when
 * asked; inside the range. The first of two entries with one version wins.
 */
export function filterReleases(raw: readonly RawRelease[], cfg: ReleaseSourceConfig): Release[] {
  const range = parseRange(cfg.range) ?? [[]];
  const pattern = cfg.source === 'github' ? cfg.tag_pattern : DEFAULT_TAG_PATTERN;
  const seen = new Set<string>();
  const out: Release[] = [];
  for (const r of raw) {
    if (r.draft) continue;
    const version = versionFromTag(r.tag, pattern);
    if (!version || !VERSION_RE.test(version) || seen.has(version)) continue;
    const prerelease = r.prerelease === true || isPrerelease(version);
    if (prerelease && !cfg.prereleases) continue;
    if (!satisfies(version, range)) continue;
    seen.add(version);
    out.push({
      version,
      tag: r.tag.slice(0, 128),
      ...(r.name ? { name: r.name.slice(0, 200) } : {}),
      ...(r.url && /^https?:\/\//.test(r.url) ? { url: r.url.slice(0, 500) } : {}),
      ...(r.publishedAt ? { publishedAt: r.publishedAt.slice(0, 40) } : {}),
      prerelease,
      security: mentionsSecurity(r.notes) || mentionsSecurity(r.name),
    });
  }
  return out.sort((a, b) => compareVersionText(b.version, a.version)).slice(0, MAX_KEPT);
}

/** A static list from the fleet file, as a source would list it. */
export function staticReleases(cfg: Extract<ReleaseSourceConfig, { source: 'static' }>): RawRelease[] {
  return cfg.versions.map((v) =>
    typeof v === 'string'
      ? { tag: v }
      : {
          tag: v.version,
          ...(v.name ? { name: v.name } : {}),
          ...(v.url ? { url: v.url } : {}),
          ...(v.published_at ? { publishedAt: v.published_at } : {}),
          ...(v.notes ? { notes: v.notes } : {}),
          ...(v.prerelease !== undefined ? { prerelease: v.prerelease } : {}),
        },
  );
}

/** Changes whenever the source or its filters change: the stored list and ETag then start over. */
export function sourceKey(cfg: ReleaseSourceConfig): string {
  const { interval: _interval, ...rest } = cfg;
  return JSON.stringify(rest);
}

/** `github ethereum/go-ethereum`, `npm ganache`, `static list` — for posts and warnings. */
export function sourceLabel(cfg: ReleaseSourceConfig): string {
  return cfg.source === 'github' ? `GitHub ${cfg.repo}` : cfg.source === 'npm' ? `npm ${cfg.package}` : 'the static list';
}
