import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fleetRev } from '../../src/gitops/fleet-view.ts';
import type { FetchedFleet, FleetSource } from '../../src/gitops/fleet-source.port.ts';
import { gitPath, gitRef, gitRepo, type GitopsSettings } from '../../src/gitops/gitops-env.ts';
import { git } from './git.process.ts';
import { processRedactor } from '../../src/secrets/process-secrets.ts';

/**
 * The fleet file in a git repository at a ref. `fetch()` fetches only that ref into a cache
 * repository of its own (`git init` once, then `git fetch <url> <ref>`) and reads the file from the
 * fetched commit with `git show`, so no working tree is checked out and nothing runs hooks.
 */
export class GitFleetSource implements FleetSource {
  readonly kind = 'git' as const;
  readonly id: string;
  readonly #repo: string;
  readonly #ref: string;
  readonly ref: string;
  readonly #path: string;
  readonly #cacheDir: string;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(settings: GitopsSettings) {
    this.#repo = gitRepo.parse(settings.repo);
    this.#ref = gitRef.parse(settings.ref);
    this.ref = this.#ref;
    this.#path = gitPath.parse(settings.path);
    this.#cacheDir = settings.cacheDir ?? join(tmpdir(), `chainops-gitops-${createHash('sha256').update(this.#repo).digest('hex').slice(0, 12)}`);
    this.id = `git:${this.#repo}#${this.#ref}:${this.#path}`;
  }

  describe(): string {
    return `git ${processRedactor().redact(this.#repo)} ${this.#ref}:${this.#path}`;
  }

  fetch(): Promise<FetchedFleet> {
    // Two syncs at once would race on the cache repository's FETCH_HEAD.
    const run = this.#queue.catch(() => undefined).then(() => this.#fetchOnce());
    this.#queue = run;
    return run;
  }

  async #fetchOnce(): Promise<FetchedFleet> {
    if (!existsSync(join(this.#cacheDir, '.git'))) {
      await mkdir(this.#cacheDir, { recursive: true });
      await git(['init', '--quiet', this.#cacheDir]);
    }
    const dir = this.#cacheDir;
    // `--end-of-options` keeps a ref or URL from ever being read as an option (both are validated anyway).
    await git(['-C', dir, 'fetch', '--quiet', '--no-tags', '--end-of-options', this.#repo, this.#ref], { timeoutMs: 120_000 });
    const commit = (await git(['-C', dir, 'rev-parse', '--verify', 'FETCH_HEAD^{commit}'])).trim();
    let text: string;
    try {
      text = await git(['-C', dir, 'show', `${commit}:${this.#path}`]);
    } catch {
      throw new Error(`${this.#path} does not exist at ${this.#ref} (${commit.slice(0, 12)}) — check CHAINOPS_FLEET_PATH`);
    }
    return { text, rev: fleetRev(text), commit };
  }
}

/** The fleet file on disk: `sync` re-reads it (for installs that deploy the file by other means). */
export class FileFleetSource implements FleetSource {
  readonly kind = 'file' as const;
  readonly id: string;
  readonly #path: string;

  constructor(path: string) {
    this.#path = resolve(path);
    this.id = `file:${this.#path}`;
  }

  describe(): string {
    return `file ${this.#path}`;
  }

  async fetch(): Promise<FetchedFleet> {
    let text: string;
    try {
      text = await readFile(this.#path, 'utf8');
    } catch (err) {
      throw new Error(`cannot read the fleet file ${this.#path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    return { text, rev: fleetRev(text) };
  }
}
