/** A multipart/form-data body split into its parts (RFC 7578), enough for Discord's file uploads. */
export interface FormPart {
  /** The `name` of Content-Disposition: `payload_json`, `files[0]` … */
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

/** Parse `body` with the boundary from its Content-Type header; throws on a body that does not match it. */
export function parseMultipart(body: Buffer, contentType: string): FormPart[] {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  if (!m) throw new Error('multipart body without a boundary');
  const delimiter = Buffer.from(`--${m[1] ?? m[2]}`);
  const parts: FormPart[] = [];
  let at = body.indexOf(delimiter);
  if (at < 0) throw new Error('multipart body without its boundary');
  for (;;) {
    at += delimiter.length;
    if (body.subarray(at, at + 2).toString() === '--') return parts;
    const headerEnd = body.indexOf('\r\n\r\n', at);
    const next = body.indexOf(delimiter, headerEnd);
    if (headerEnd < 0 || next < 0) throw new Error('truncated multipart body');
    const headers = body.subarray(at + 2, headerEnd).toString('utf8');
    const disposition = /content-disposition:[^\r\n]*?name="([^"]*)"(?:; *filename="([^"]*)")?/i.exec(headers);
    const type = /content-type: *([^\r\n]+)/i.exec(headers);
    parts.push({
      name: disposition?.[1] ?? '',
      ...(disposition?.[2] !== undefined ? { filename: disposition[2] } : {}),
      ...(type ? { contentType: type[1]!.trim() } : {}),
      // The part's data ends with the CRLF that precedes the next delimiter.
      data: body.subarray(headerEnd + 4, next - 2),
    });
    at = next;
  }
}
