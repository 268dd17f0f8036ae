/** One release as a source lists it, before filtering (tag and notes straight from the source). */
export interface RawRelease {
  /** Git tag (GitHub) or the version itself (npm, static). */
  tag: string;
  name?: string;
  url?: string;
  /** ISO time. */
  publishedAt?: string;
  /** The source marks it as a pre-release (GitHub's `prerelease`). */
  prerelease?: boolean;
  /** Drafts are never announced (GitHub lists them only to users with push access). */
  draft?: boolean;
  /** Release notes (read only to spot security fixes; never stored or posted). */
  notes?: string;
}

/** A release that passed the group's filters, as stored and shown. */
export interface Release {
  version: string;
  tag: string;
  name?: string;
  url?: string;
  publishedAt?: string;
  prerelease: boolean;
  /** The notes mention security, a CVE or a vulnerability. */
  security: boolean;
}

/** What one poll of a source found. `retryAt`: do not ask this source again before then (epoch ms). */
export type FetchResult =
  | { kind: 'changed'; releases: RawRelease[]; etag?: string; retryAt?: number }
  /** 304 Not Modified on the stored ETag: nothing was read or parsed. */
  | { kind: 'unchanged'; retryAt?: number }
  /** The source refused us for now (GitHub 403/429 rate limit); nothing changed. */
  | { kind: 'rate-limited'; retryAt: number; why: string };

/** What is known of one group's releases (kept in Redis so the bot can read it). */
export interface GroupReleases {
  /** Fingerprint of the source settings: when they change, the ETag and the list start over. */
  sourceKey: string;
  /** Newest first. */
  releases: Release[];
  etag?: string;
  /** Last successful poll (epoch ms); absent: never polled. */
  polledAt?: number;
  /** Last poll attempt, successful or not (epoch ms). */
  triedAt?: number;
  /** Do not poll before (rate limits). */
  retryAt?: number;
  /** Since when the first post waits for the group's first health snapshots. */
  waitingSince?: number;
  /** Why the last poll failed (no secrets), cleared on success. */
  error?: string;
}
