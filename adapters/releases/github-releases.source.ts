import { z } from 'zod';
import { ChainopsError, errorMessage } from '../../src/errors.ts';
import type { ReleaseSourceConfig } from '../../src/releases/release-source.schema.ts';
import type { FetchResult, RawRelease } from '../../src/releases/release.types.ts';
import { discard, httpGet, nextLink } from './http-get.ts';

export interface GithubReleasesOptions {
  /** `GITHUB_API_URL` @defaultValue https://api.github.com */
  apiUrl?: string;
  /** `GITHUB_TOKEN` from the worker's environment (never the fleet file); sent only to `apiUrl`. */
  token?: string;
  /** Releases per page. @defaultValue 100 (GitHub's maximum) */
  perPage?: number;
  /** Pages read per poll at most: the newest releases are on the first ones. @defaultValue 3 */
  maxPages?: number;
  /** Per request. @defaultValue 10 000 ms */
  timeoutMs?: number;
  now?: () => number;
}

// Only the fields we read; GitHub sends many more.
const releaseList = z.array(
  z.looseObject({
    tag_name: z.string(),
    name: z.string().nullish(),
    html_url: z.string().nullish(),
    published_at: z.string().nullish(),
    prerelease: z.boolean().nullish(),
    draft: z.boolean().nullish(),
    body: z.string().nullish(),
  }),
);

/**
 * Lists a repository's releases through GitHub's REST API (`GET /repos/{owner}/{repo}/releases`).
 * The first page carries `If-None-Match` with the last ETag: a 304 reads and parses nothing (and
 * does not count against the rate limit). `Link: rel="next"` is followed up to `maxPages`, only
 * within `apiUrl` (the token never goes anywhere else). 403/429 with `retry-after` or
 * `x-ratelimit-remaining: 0` answer "rate-limited until …" instead of an error.
 */
export class GithubReleaseFetcher {
  readonly #api: string;
  readonly #opts: GithubReleasesOptions;

  constructor(opts: GithubReleasesOptions = {}) {
    this.#api = (opts.apiUrl ?? 'https://api.github.com').replace(/\/+$/, '');
    this.#opts = opts;
  }

  async fetch(cfg: Extract<ReleaseSourceConfig, { source: 'github' }>, opts: { etag?: string }): Promise<FetchResult> {
    const now = this.#opts.now ?? Date.now;
    const maxPages = this.#opts.maxPages ?? 3;
    const headers: Record<string, string> = {
      accept: 'application/vnd.github+json',
      'x-github-api-version': '2022-11-28',
      'user-agent': 'chainops-release-watch',
      ...(this.#opts.token ? { authorization: `Bearer ${this.#opts.token}` } : {}),
    };
    let url: string | undefined = `${this.#api}/repos/${cfg.repo}/releases?per_page=${this.#opts.perPage ?? 100}`;
    const releases: RawRelease[] = [];
    let etag: string | undefined;
    let retryAt: number | undefined;
    for (let page = 1; url && page <= maxPages; page++) {
      let res: Response;
      try {
        res = await httpGet(url, page === 1 && opts.etag ? { ...headers, 'if-none-match': opts.etag } : headers, this.#opts.timeoutMs ?? 10_000);
      } catch (err) {
        throw new ChainopsError('unavailable', `GitHub did not answer for ${cfg.repo} releases (${errorMessage(err)}); is GITHUB_API_URL reachable?`);
      }
      const limit = rateLimit(res, now());
      if (res.status === 304) {
        await discard(res);
        return { kind: 'unchanged', ...(limit.exhausted ? { retryAt: limit.resetAt } : {}) };
      }
      if (res.status === 403 || res.status === 429) {
        await discard(res);
        if (limit.retryAt !== undefined) {
          // Mid-way through the pages: keep what was read, without an ETag so the next poll reads it all.
          if (releases.length) return { kind: 'changed', releases, retryAt: limit.retryAt };
          return { kind: 'rate-limited', retryAt: limit.retryAt, why: `GitHub answered ${res.status} (${limit.why})` };
        }
        throw new ChainopsError('forbidden', `GitHub refused to list ${cfg.repo} releases (${res.status}); check that GITHUB_TOKEN may read the repository`);
      }
      if (res.status === 404) {
        await discard(res);
        throw new ChainopsError('not_found', `GitHub has no repository ${cfg.repo} (or GITHUB_TOKEN cannot see it); check groups.*.releases.repo`);
      }
      if (!res.ok) {
        await discard(res);
        throw new ChainopsError('unavailable', `GitHub answered ${res.status} for ${cfg.repo} releases; trying again at the next poll`);
      }
      const parsed = releaseList.safeParse(await res.json().catch(() => undefined));
      if (!parsed.success) throw new ChainopsError('unavailable', `GitHub's answer for ${cfg.repo} releases is not a release list`);
      if (page === 1) etag = res.headers.get('etag') ?? undefined;
      for (const r of parsed.data) {
        releases.push({
          tag: r.tag_name,
          ...(r.name ? { name: r.name } : {}),
          ...(r.html_url ? { url: r.html_url } : {}),
          ...(r.published_at ? { publishedAt: r.published_at } : {}),
          prerelease: r.prerelease === true,
          draft: r.draft === true,
          ...(r.body ? { notes: r.body } : {}),
        });
      }
      if (limit.exhausted) retryAt = limit.resetAt;
      const next = nextLink(res.headers.get('link'));
      url = next && sameOrigin(next, this.#api) ? next : undefined;
      if (limit.exhausted) break;
    }
    return { kind: 'changed', releases, ...(etag && !retryAt ? { etag } : {}), ...(retryAt ? { retryAt } : {}) };
  }
}

/** GitHub's rate-limit headers: when to ask again (retry-after wins), and whether the quota is used up. */
function rateLimit(res: Response, now: number): { retryAt?: number; exhausted: boolean; resetAt?: number; why: string } {
  const after = Number(res.headers.get('retry-after'));
  const remaining = res.headers.get('x-ratelimit-remaining');
  const reset = Number(res.headers.get('x-ratelimit-reset'));
  const resetAt = Number.isFinite(reset) && reset > 0 ? reset * 1000 : undefined;
  const exhausted = remaining === '0' && resetAt !== undefined;
  if (res.headers.has('retry-after') && Number.isFinite(after) && after >= 0) return { retryAt: now + after * 1000, exhausted, ...(resetAt ? { resetAt } : {}), why: `retry-after ${after}s` };
  if (exhausted) return { retryAt: resetAt, exhausted, resetAt, why: 'x-ratelimit-remaining 0' };
  // 429 without headers: GitHub says wait at least a minute.
  if (res.status === 429) return { retryAt: now + 60_000, exhausted: false, why: 'too many requests' };
  return { exhausted: false, why: '' };
}

function sameOrigin(url: string, base: string): boolean {
  try {
    return new URL(url).origin === new URL(base).origin;
  } catch {
    return false;
  }
}
