import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The directory holding ChainOps's package.json, whether this code runs as TypeScript sources (tsx)
 * or compiled into `dist/` (`npm run build`): files shipped beside the code (the Ansible callback
 * plugin, example fleets) are found from here, not from the module's own folder.
 */
export const PACKAGE_ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));

/** A path below the package root. */
export function packagePath(...parts: string[]): string {
  return join(PACKAGE_ROOT, ...parts);
}

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}: is ChainOps installed whole?`);
  }
}
