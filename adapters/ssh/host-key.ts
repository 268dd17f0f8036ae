import { createHash } from 'node:crypto';
import { ChainopsError } from '../../src/errors.ts';

/** A host key pinned from the fleet file (`ssh-ed25519 AAAA…`). */
export interface PinnedKey {
  type: string;
  /** The key blob as the SSH protocol sends it (the base64 part, decoded). */
  blob: Buffer;
  /** `SHA256:…` as `ssh-keygen -lf` prints it. */
  fingerprint: string;
}

/** OpenSSH fingerprint of a key blob: `SHA256:` + unpadded base64 of its sha256. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** Parse an OpenSSH public key line; the blob must name the same key type as the line does. */
export function parseHostKey(line: string, where: string): PinnedKey {
  const [type, b64] = line.trim().split(/\s+/);
  const bad = (why: string) => new ChainopsError('config_invalid', `${where}: ssh.host_key ${why} — paste the line from \`ssh-keyscan -t ed25519 <host>\` without the host name`);
  if (!type || !b64 || !/^[A-Za-z0-9+/]+={0,3}$/.test(b64)) throw bad('is not "<type> <base64>"');
  const blob = Buffer.from(b64, 'base64');
  // The blob starts with the key type as an SSH string (uint32 length + bytes).
  const len = blob.length >= 4 ? blob.readUInt32BE(0) : -1;
  if (len <= 0 || 4 + len > blob.length || blob.subarray(4, 4 + len).toString('latin1') !== type) throw bad(`does not hold a ${type} key`);
  return { type, blob, fingerprint: fingerprint(blob) };
}
