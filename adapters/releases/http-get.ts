/** A GET with a deadline: a source that hangs must not hold the release job past its lock. */
export async function httpGet(url: string, headers: Record<string, string>, timeoutMs: number): Promise<Response> {
  return fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
}

/** Drop a body we will not read, so the connection goes back to the pool. */
export async function discard(res: Response): Promise<void> {
  await res.body?.cancel().catch(() => undefined);
}

/** The `rel="next"` target of a `Link` header (RFC 8288, as GitHub writes it), if any. */
export function nextLink(link: string | null): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(',')) {
    const m = /<([^>]+)>\s*;\s*(.*)/.exec(part.trim());
    if (m && /\brel="?([^";]*\s)?next(\s[^";]*)?"?/.test(m[2] ?? '')) return m[1];
  }
  return undefined;
}
