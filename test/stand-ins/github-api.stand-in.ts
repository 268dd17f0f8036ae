import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback stand-in for GitHub's REST API, for tests only: `GET /repos/{owner}/{repo}/releases`
 * as docs.github.com documents it — a JSON array newest first with `tag_name`, `name`, `html_url`,
 * `published_at`, `prerelease`, `draft`, `body`; `per_page` (default 30, max 100) and `page`
 * parameters; a `Link` header with `rel="next"`, `"last"`, `"first"`, `"prev"`; a strong `ETag` per
 * response and 304 Not Modified with no body for a matching `If-None-Match` (which does not use up
 * the quota); `x-ratelimit-limit/-remaining/-used/-reset/-resource` headers on every answer, 403
 * "API rate limit exceeded" when the quota is used up, and 403/429 with `retry-after` when told to
 * (secondary rate limits). Drafts are listed only to authenticated callers (push access).
 */
export interface GhRelease {
  tag_name: string;
  name: string | null;
  html_url: string;
  published_at: string | null;
  prerelease: boolean;
  draft: boolean;
  body: string | null;
}

export interface GhRequest {
  path: string;
  page: number;
  perPage: number;
  status: number;
  ifNoneMatch?: string;
  authorization?: string;
}

export interface GithubApiStandIn {
  /** Base for GITHUB_API_URL. */
  url: string;
  requests: GhRequest[];
  /** Add a release on top (newest); `repo` is `owner/name`. */
  publish(repo: string, r: Partial<GhRelease> & { tag_name: string }): void;
  /** Requests left in the quota (x-ratelimit-remaining); 0 → 403 until `resetAt`. */
  setQuota(remaining: number, resetAt?: number): void;
  /** Answer the next `n` requests with a secondary rate limit: this status and `retry-after`. */
  throttleNext(status: 403 | 429, retryAfterSec: number, n?: number): void;
  stop(): Promise<void>;
}

export async function startGithubApiStandIn(): Promise<GithubApiStandIn> {
  const repos = new Map<string, GhRelease[]>();
  const requests: GhRequest[] = [];
  let remaining = 5000;
  let resetAt = Math.floor(Date.now() / 1000) + 3600;
  const throttles: Array<{ status: number; retryAfterSec: number }> = [];

  const server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const m = /^\/repos\/([^/]+)\/([^/]+)\/releases$/.exec(u.pathname);
    const perPage = Math.min(Math.max(Number(u.searchParams.get('per_page') ?? 30) || 30, 1), 100);
    const page = Math.max(Number(u.searchParams.get('page') ?? 1) || 1, 1);
    const auth = req.headers.authorization;
    const inm = req.headers['if-none-match'];
    const seen: GhRequest = { path: u.pathname, page, perPage, status: 0, ...(typeof inm === 'string' ? { ifNoneMatch: inm } : {}), ...(auth ? { authorization: auth } : {}) };
    requests.push(seen);
    const limits = (): Record<string, string> => ({
      'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': String(remaining), 'x-ratelimit-used': String(5000 - remaining),
      'x-ratelimit-reset': String(resetAt), 'x-ratelimit-resource': 'core',
    });
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      seen.status = status;
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...limits(), ...headers });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    };
    const throttle = throttles.shift();
    if (throttle) {
      return reply(throttle.status, { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api' }, { 'retry-after': String(throttle.retryAfterSec) });
    }
    if (remaining <= 0) {
      return reply(403, { message: 'API rate limit exceeded for 127.0.0.1.', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api' });
    }
    if (req.method !== 'GET' || !m) return reply(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
    const repo = `${m[1]}/${m[2]}`;
    const all = repos.get(repo);
    if (!all) return reply(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest/releases/releases#list-releases' });
    const visible = all.filter((r) => !r.draft || auth);
    const body = visible.slice((page - 1) * perPage, page * perPage);
    const etag = `"${createHash('sha1').update(JSON.stringify([body, page, perPage])).digest('hex')}"`;
    if (typeof inm === 'string' && inm.split(',').map((s) => s.trim().replace(/^W\//, '')).includes(etag)) {
      // A conditional request that finds nothing new does not count against the quota.
      return reply(304, undefined, { etag });
    }
    remaining--;
    const last = Math.max(1, Math.ceil(visible.length / perPage));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}${u.pathname}?per_page=${perPage}&page=`;
    const links = [
      ...(page < last ? [`<${base}${page + 1}>; rel="next"`, `<${base}${last}>; rel="last"`] : []),
      ...(page > 1 ? [`<${base}1>; rel="first"`, `<${base}${page - 1}>; rel="prev"`] : []),
    ];
    return reply(200, body, { etag, ...(links.length ? { link: links.join(', ') } : {}) });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    publish(repo, r) {
      const list = repos.get(repo) ?? [];
      repos.set(repo, list);
      list.unshift({
        name: r.tag_name, html_url: `https://github.com/${repo}/releases/tag/${r.tag_name}`, published_at: new Date().toISOString(),
        prerelease: false, draft: false, body: null, ...r,
      });
    },
    setQuota(n, at) {
      remaining = n;
      if (at !== undefined) resetAt = at;
    },
    throttleNext(status, retryAfterSec, n = 1) {
      for (let i = 0; i < n; i++) throttles.push({ status, retryAfterSec });
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
