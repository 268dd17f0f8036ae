/**
 * Signs requests the way Discord signs HTTP interactions: Ed25519 over `timestamp + raw body`, the
 * public key handed out as 64 hex chars (the raw 32 bytes, as on the developer portal).
 */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

export interface DiscordSigner {
  /** The public key as Discord shows it: 64 hex chars. */
  publicKeyHex: string;
  /** Headers for `body` signed now (or at `timestamp`, seconds). */
  headers(body: string, timestamp?: number): Record<string, string>;
}

export function makeDiscordSigner(): DiscordSigner {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  // SPKI DER of an Ed25519 key is a fixed 12-byte header followed by the 32 raw key bytes.
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(12);
  return {
    publicKeyHex: raw.toString('hex'),
    headers: (body, timestamp = Math.floor(Date.now() / 1000)) => signedHeaders(privateKey, body, timestamp),
  };
}

function signedHeaders(privateKey: KeyObject, body: string, timestamp: number): Record<string, string> {
  const ts = String(timestamp);
  const signature = sign(null, Buffer.from(ts + body, 'utf8'), privateKey).toString('hex');
  return { 'content-type': 'application/json', 'x-signature-ed25519': signature, 'x-signature-timestamp': ts };
}

/** POST a signed interaction to an endpoint; `tamper` flips the signature to test refusal. */
export async function postSignedInteraction(url: string, signer: DiscordSigner, payload: unknown, tamper = false): Promise<Response> {
  const body = JSON.stringify(payload);
  const headers = signer.headers(body);
  if (tamper) headers['x-signature-ed25519'] = headers['x-signature-ed25519']!.replace(/^./, (c) => (c === '0' ? '1' : '0'));
  return fetch(url, { method: 'POST', headers, body });
}
