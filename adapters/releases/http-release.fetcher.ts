import type { ReleaseFetcher } from '../../src/releases/release-source.port.ts';
import type { ReleaseSourceConfig } from '../../src/releases/release-source.schema.ts';
import type { FetchResult } from '../../src/releases/release.types.ts';
import { GithubReleaseFetcher, type GithubReleasesOptions } from './github-releases.source.ts';
import { NpmReleaseFetcher, type NpmRegistryOptions } from './npm-registry.source.ts';

/** The ReleaseFetcher the worker uses: GitHub or the npm registry by the group's `source:`. */
export class HttpReleaseFetcher implements ReleaseFetcher {
  readonly #github: GithubReleaseFetcher;
  readonly #npm: NpmReleaseFetcher;

  constructor(opts: { github?: GithubReleasesOptions; npm?: NpmRegistryOptions } = {}) {
    this.#github = new GithubReleaseFetcher(opts.github);
    this.#npm = new NpmReleaseFetcher(opts.npm);
  }

  fetch(cfg: Exclude<ReleaseSourceConfig, { source: 'static' }>, opts: { etag?: string }): Promise<FetchResult> {
    return cfg.source === 'github' ? this.#github.fetch(cfg, opts) : this.#npm.fetch(cfg, opts);
  }
}
