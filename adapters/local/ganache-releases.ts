import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { VERSION_RE } from '../../src/fleet/names.ts';
import { packagePath } from '../../src/package-root.ts';

const run = promisify(execFile);

/** The ganache version installed with this project (node_modules/ganache). */
export function installedGanacheVersion(): { version: string; dir: string } {
  const require = createRequire(import.meta.url);
  const pkgPath = require.resolve('ganache/package.json');
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { version: string };
  return { version: pkg.version, dir: dirname(pkgPath) };
}

/** Default cache of unpacked releases, kept between runs on one machine. */
export const DEFAULT_RELEASES_DIR = packagePath('node_modules', '.cache', 'chainops-releases');

/**
 * Make `<dir>/ganache-<version>/node_modules/ganache` exist for each version: the installed one is
 * linked, others are installed once from the npm registry (argument array, pinned exact version).
 * `mislabelled` maps a fake release name to a real version: a "broken release" whose binary reports
 * a different version than its label, for tests of the health gate.
 */
export async function prepareGanacheReleases(opts: { versions: string[]; dir?: string; mislabelled?: Record<string, string> }): Promise<string> {
  const dir = opts.dir ?? DEFAULT_RELEASES_DIR;
  mkdirSync(dir, { recursive: true });
  const installed = installedGanacheVersion();
  const all = [...opts.versions, ...Object.values(opts.mislabelled ?? {})];
  for (const v of new Set(all)) {
    if (!VERSION_RE.test(v)) throw new Error(`not a version: ${v}`);
    const target = join(dir, `ganache-${v}`);
    if (existsSync(join(target, 'node_modules/ganache/dist/node/cli.js'))) continue;
    if (v === installed.version) {
      mkdirSync(join(target, 'node_modules'), { recursive: true });
      rmSync(join(target, 'node_modules/ganache'), { force: true, recursive: true });
      symlinkSync(installed.dir, join(target, 'node_modules/ganache'));
      continue;
    }
    mkdirSync(target, { recursive: true });
    await run('npm', ['install', '--prefix', target, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--ignore-scripts', `ganache@${v}`], { timeout: 180_000 });
  }
  for (const [label, real] of Object.entries(opts.mislabelled ?? {})) {
    if (!VERSION_RE.test(label)) throw new Error(`not a version: ${label}`);
    const link = join(dir, `ganache-${label}`);
    rmSync(link, { force: true, recursive: true });
    symlinkSync(join(dir, `ganache-${real}`), link);
  }
  return dir;
}
