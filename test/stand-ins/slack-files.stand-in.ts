import type { IncomingMessage, ServerResponse } from 'node:http';
import { bearer, type SlackCall, type StoredMessage } from './slack-api.stand-in.ts';

/** A file uploaded through files.getUploadURLExternal → upload_url → files.completeUploadExternal. */
export interface StoredFile {
  id: string;
  filename: string;
  /** Declared in getUploadURLExternal. */
  length: number;
  alt_txt?: string;
  /** The bytes POSTed to upload_url (undefined until then). */
  bytes?: Buffer;
  /** Set by completeUploadExternal. */
  title?: string;
  channel?: string;
  thread_ts?: string;
  /** Headers of the upload POST (it must carry no token). */
  uploadHeaders?: Record<string, string | string[] | undefined>;
}

/**
 * Slack's external upload flow as docs.slack.dev/reference/methods describes it:
 * `files.getUploadURLExternal` (filename, length, alt_txt) answers `upload_url` and `file_id`; the
 * bytes are POSTed to `upload_url` (raw or multipart, no token; 200 `OK - <size>`);
 * `files.completeUploadExternal` (files=[{id,title}], channel_id, thread_ts) shares them.
 */
export class SlackFilesStandIn {
  readonly files: StoredFile[] = [];
  #seq = 0;

  constructor(private readonly origin: string, private readonly calls: SlackCall[]) {}

  answer(method: string, a: Record<string, any>, messages: StoredMessage[]): Record<string, unknown> {
    if (method === 'files.getUploadURLExternal') {
      const length = Number(a.length);
      if (!a.filename || !Number.isInteger(length) || length <= 0) return { ok: false, error: 'missing_argument' };
      if (typeof a.alt_txt === 'string' && a.alt_txt.length > 1000) return { ok: false, error: 'alt_txt_too_large' };
      const id = `F${String(++this.#seq).padStart(10, '0')}`;
      this.files.push({ id, filename: String(a.filename), length, ...(a.alt_txt ? { alt_txt: String(a.alt_txt) } : {}) });
      return { ok: true, upload_url: `${this.origin}/upload/${id}`, file_id: id };
    }
    const list = Array.isArray(a.files) ? (a.files as Array<{ id?: string; title?: string }>) : undefined;
    if (!list?.length) return { ok: false, error: 'invalid_arguments' };
    if (a.channel_id !== undefined && !/^[CDG][A-Z0-9]{2,}$/.test(String(a.channel_id))) return { ok: false, error: 'channel_not_found' };
    // "Never use a reply's ts value; use its parent instead."
    if (a.thread_ts !== undefined && !messages.some((m) => m.channel === a.channel_id && m.ts === a.thread_ts && m.thread_ts === undefined)) return { ok: false, error: 'invalid_thread_ts' };
    const done: StoredFile[] = [];
    for (const item of list) {
      const f = this.files.find((x) => x.id === item.id);
      // The bytes must have been uploaded, all of them, before the upload can be completed.
      if (!f || !f.bytes || f.bytes.length !== f.length) return { ok: false, error: 'file_not_found' };
      Object.assign(f, { ...(item.title ? { title: item.title } : {}), ...(a.channel_id ? { channel: String(a.channel_id) } : {}), ...(a.thread_ts ? { thread_ts: String(a.thread_ts) } : {}) });
      done.push(f);
    }
    return { ok: true, files: done.map((f) => ({ id: f.id, name: f.filename, title: f.title ?? f.filename, mimetype: f.filename.endsWith('.png') ? 'image/png' : 'application/octet-stream', size: f.length })) };
  }

  /** The pre-signed upload_url; recorded as method `upload_url`. */
  receive(id: string, req: IncomingMessage, body: Buffer, res: ServerResponse): void {
    const f = this.files.find((x) => x.id === id);
    if (f) {
      f.bytes = body;
      f.uploadHeaders = { ...req.headers };
    }
    const token = bearer(req);
    this.calls.push({ method: 'upload_url', args: { id, size: body.length }, contentType: String(req.headers['content-type'] ?? ''), raw: '', at: Date.now(), status: f ? 200 : 404, response: {}, ...(token ? { token } : {}) });
    res.writeHead(f ? 200 : 404, { 'content-type': 'text/plain' });
    res.end(f ? `OK - ${body.length}` : 'Not Found');
  }
}
