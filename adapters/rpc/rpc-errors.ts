/**
 * Turns URLs and transport failures into short messages that are safe to post in chat: only the
 * origin is shown, because the URL path may hold an API key (`/v3/<key>`) and userinfo a password.
 */

/** `http://user:pw@host:8545/v3/key` → `host:8545`; unparsable URLs become `the node`. */
export function safeOrigin(url: string): string {
  try {
    return new URL(url).host || 'the node';
  } catch {
    return 'the node';
  }
}

/** The forms an RPC password can take on the wire: as is, and inside the basic-auth header value. */
export function authSecrets(auth: { username: string; password: string } | undefined): string[] {
  if (!auth) return [];
  return [auth.password, Buffer.from(`${auth.username}:${auth.password}`).toString('base64')];
}

/** Replaces every occurrence of each secret (and its URL-encoded form) with `***`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) {
    if (s.length < 3) continue; // a 1–2 character "secret" would mangle ordinary words
    out = out.split(s).join('***');
    const encoded = encodeURIComponent(s);
    if (encoded !== s) out = out.split(encoded).join('***');
  }
  return out;
}

const CODE_TEXT: Record<string, string> = {
  ECONNREFUSED: 'connection refused: is the node running and listening on this port?',
  ECONNRESET: 'connection reset by the node',
  EPIPE: 'connection closed by the node',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'DNS lookup failed (temporary)',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connect timed out',
  UND_ERR_SOCKET: 'connection closed by the node',
  UND_ERR_CLOSED: 'connection closed',
  UND_ERR_CONNECT_TIMEOUT: 'connect timed out',
  UND_ERR_HEADERS_TIMEOUT: 'no response headers in time',
  UND_ERR_BODY_TIMEOUT: 'response body stalled',
  UND_ERR_INVALID_ARG: 'invalid request (check the rpc_url)',
  CHAINOPS_BODY_TOO_LARGE: 'response too large',
};

/** One short phrase for a network-level failure; never echoes request headers or the URL. */
export function describeTransportError(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; code?: string; cause?: unknown; message?: string } | undefined;
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `timed out after ${Math.round(timeoutMs)} ms`;
  const codes = [e?.code, (e?.cause as { code?: string } | undefined)?.code];
  for (const c of codes) if (c && CODE_TEXT[c]) return CODE_TEXT[c];
  const first = codes.find(Boolean);
  // Unknown failures: keep the code, drop the message (it may quote the URL).
  return first ? `request failed (${first})` : `request failed (${e?.name ?? 'unknown error'})`;
}

/** Message for a bug-level failure inside a checker: the error's name and a clipped message. */
export function unexpectedError(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return `checker failed unexpectedly (${text.length > 120 ? `${text.slice(0, 117)}...` : text})`;
}
