import type { ReleaseSourceConfig } from './release-source.schema.ts';
import type { FetchResult } from './release.types.ts';

/**
 * Reads a group's releases from where its client publishes them (GitHub, the npm registry). The HTTP
 * implementations live in adapters/releases/; a static list needs none (see `staticReleases`).
 * Throws a ChainopsError with a message fit for logs (never the token) when the source fails.
 */
export interface ReleaseFetcher {
  fetch(source: Exclude<ReleaseSourceConfig, { source: 'static' }>, opts: { etag?: string }): Promise<FetchResult>;
}
