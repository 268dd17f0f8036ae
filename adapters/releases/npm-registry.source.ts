import { z } from 'zod';
import { ChainopsError, errorMessage } from '../../src/errors.ts';
import type { ReleaseSourceConfig } from '../../src/releases/release-source.schema.ts';
import type { FetchResult, RawRelease } from '../../src/releases/release.types.ts';
import { discard, httpGet } from './http-get.ts';

const DEFAULT_REGISTRY = 'https://registry.npmjs.org';

export interface NpmRegistryOptions {
  /** `NPM_REGISTRY_URL` @defaultValue https://registry.npmjs.org */
  registryUrl?: string;
  /** @defaultValue 15 000 ms (package documents of busy packages run to megabytes) */
  timeoutMs?: number;
}

// The package document's slice we read: versions (with `deprecated`), publish times, dist-tags.
const packageDoc = z.looseObject({
  versions: z.record(z.string(), z.looseObject({ deprecated: z.union([z.string(), z.boolean()]).optional() })),
  time: z.record(z.string(), z.string()).optional(),
  'dist-tags': z.record(z.string(), z.string()).optional(),
});

/**
 * Lists an npm package's versions from the registry's package document (`GET /<name>`), with
 * `If-None-Match` so an unchanged document costs a 304. Deprecated versions are left out: the
 * registry's authors said not to install them.
 */
export class NpmReleaseFetcher {
  readonly #registry: string;
  readonly #opts: NpmRegistryOptions;

  constructor(opts: NpmRegistryOptions = {}) {
    this.#registry = (opts.registryUrl ?? DEFAULT_REGISTRY).replace(/\/+$/, '');
    this.#opts = opts;
  }

  async fetch(cfg: Extract<ReleaseSourceConfig, { source: 'npm' }>, opts: { etag?: string }): Promise<FetchResult> {
    // Scoped names keep their `@` and encode the slash, as the registry expects.
    const url = `${this.#registry}/${cfg.package.replace('/', '%2f')}`;
    let res: Response;
    try {
      res = await httpGet(url, { accept: 'application/json', 'user-agent': 'chainops-release-watch', ...(opts.etag ? { 'if-none-match': opts.etag } : {}) }, this.#opts.timeoutMs ?? 15_000);
    } catch (err) {
      throw new ChainopsError('unavailable', `the npm registry did not answer for ${cfg.package} (${errorMessage(err)}); is NPM_REGISTRY_URL reachable?`);
    }
    if (res.status === 304) {
      await discard(res);
      return { kind: 'unchanged' };
    }
    if (res.status === 429) {
      const after = Number(res.headers.get('retry-after'));
      await discard(res);
      return { kind: 'rate-limited', retryAt: Date.now() + (Number.isFinite(after) && after > 0 ? after * 1000 : 60_000), why: 'npm registry answered 429' };
    }
    if (res.status === 404) {
      await discard(res);
      throw new ChainopsError('not_found', `the npm registry has no package ${cfg.package}; check groups.*.releases.package`);
    }
    if (!res.ok) {
      await discard(res);
      throw new ChainopsError('unavailable', `the npm registry answered ${res.status} for ${cfg.package}; trying again at the next poll`);
    }
    const parsed = packageDoc.safeParse(await res.json().catch(() => undefined));
    if (!parsed.success) throw new ChainopsError('unavailable', `the npm registry's answer for ${cfg.package} is not a package document`);
    const doc = parsed.data;
    const releases: RawRelease[] = [];
    for (const [version, meta] of Object.entries(doc.versions)) {
      if (meta.deprecated) continue;
      const publishedAt = doc.time?.[version];
      releases.push({
        tag: version,
        ...(publishedAt ? { publishedAt } : {}),
        ...(this.#registry === DEFAULT_REGISTRY ? { url: `https://www.npmjs.com/package/${cfg.package}/v/${version}` } : {}),
      });
    }
    const etag = res.headers.get('etag') ?? undefined;
    return { kind: 'changed', releases, ...(etag ? { etag } : {}) };
  }
}
