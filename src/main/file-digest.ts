import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';

/** sha256 (hex) of a file's content; undefined when it cannot be read. */
export async function fileDigest(path: string): Promise<string | undefined> {
  try {
    return createHash('sha256').update(await readFile(path)).digest('hex');
  } catch {
    return undefined;
  }
}
