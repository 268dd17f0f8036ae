import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { ChainopsError } from '../errors.ts';

/**
 * Never part of what Ansible reads for a play, and changing on their own: VCS data, Terraform working
 * state and ChainOps' plan dir (`.chainops`), retry files, logs, Redis data, pid files and sockets.
 */
const SKIP_DIRS = new Set(['.git', 'node_modules', '.terraform', '.chainops', 'appendonlydir']);
const SKIP_FILE = /(\.tfstate(\.backup)?|\.tfplan|\.retry|\.lock\.hcl|\.log|\.rdb|\.aof|\.pid|\.sock)$/;
const MAX_FILES = 10_000;
const MAX_BYTES = 64 * 1024 * 1024;
const MAX_DEPTH = 16;

/**
 * sha256 over a playbook and every file Ansible may read for it: the whole directory tree the
 * playbook sits in (roles/, includes, templates, files, vars files, group_vars/ and host_vars/ next
 * to it), each file by its relative path and content. Simpler and safer than parsing YAML for
 * includes. `exclude` names files ChainOps itself writes there (the fleet file). Undefined when the
 * playbook cannot be read.
 */
export async function playbookTreeDigest(playbook: string, opts: { exclude?: string[] } = {}): Promise<string | undefined> {
  const path = resolve(playbook);
  try {
    await stat(path);
  } catch {
    return undefined;
  }
  const root = dirname(path);
  const exclude = new Set((opts.exclude ?? []).map((p) => resolve(p)));
  const hash = createHash('sha256').update(`playbook ${basename(path)}\n`);
  let files = 0;
  let bytes = 0;
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (depth > MAX_DEPTH) throw tooBig(root, `directories nested deeper than ${MAX_DEPTH}`);
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const e of entries) {
      const full = join(dir, e.name);
      const info = e.isSymbolicLink() ? await stat(full).catch(() => undefined) : e;
      if (!info) continue; // a dangling link: Ansible cannot read it either
      if (info.isDirectory()) {
        if (!SKIP_DIRS.has(e.name)) await walk(full, depth + 1);
      } else if (info.isFile() && !SKIP_FILE.test(e.name) && !exclude.has(full)) {
        const content = await readFile(full);
        files += 1;
        bytes += content.length;
        if (files > MAX_FILES || bytes > MAX_BYTES) throw tooBig(root, `more than ${MAX_FILES} files or ${MAX_BYTES / 1024 / 1024} MiB`);
        hash.update(`${relative(root, full)}\0${content.length}\0`).update(content);
      }
    }
  };
  await walk(root, 0);
  return hash.digest('hex');
}

function tooBig(root: string, what: string): ChainopsError {
  return new ChainopsError('internal', `the playbook directory ${root} holds ${what} — keep each playbook with its roles in a directory of its own`);
}
