/** Charts of a message as Discord attachments: multipart/form-data, as Discord documents file uploads. */
import { randomBytes } from 'node:crypto';
import type { Message } from '../../src/chat/message.ts';
import { chartPng } from '../chart/chart-png.ts';

/** Discord's limit on an attachment description (alt text). */
const DESCRIPTION_MAX = 1024;

interface ChartFile {
  name: string;
  data: Buffer;
}

/**
 * The body as Discord's uploads want it: the JSON in a `payload_json` part, each file in `files[n]`,
 * and `attachments[n]` naming part n (with the alt text). Built here rather than by discord.js's
 * FormData, which its bundled undici 6 cannot send through the undici 7 dispatcher this process also
 * loads ("action is not a function").
 */
export function multipartBody(json: object, files: ChartFile[]): { data: Buffer; contentType: string } {
  const boundary = `chainops-${randomBytes(12).toString('hex')}`;
  const parts: Buffer[] = [];
  const head = (disposition: string, type: string) => Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; ${disposition}\r\nContent-Type: ${type}\r\n\r\n`);
  parts.push(head('name="payload_json"', 'application/json'), Buffer.from(JSON.stringify(json)), Buffer.from('\r\n'));
  files.forEach((f, i) => parts.push(head(`name="files[${i}]"; filename="${f.name.replace(/[^a-zA-Z0-9._-]/g, '-')}"`, 'image/png'), f.data, Buffer.from('\r\n')));
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { data: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** REST options for a message body: plain JSON, or multipart with the message's charts as PNG attachments. */
export function withCharts(message: Message, body: object): { body: object } | { body: Buffer; passThroughBody: true; headers: Record<string, string> } {
  const charts = (message.attachments ?? []).filter((a) => a.chart);
  if (charts.length === 0) return { body };
  const attachments = charts.map((a, id) => ({ id, filename: a.filename, description: a.alt.slice(0, DESCRIPTION_MAX) }));
  const { data, contentType } = multipartBody({ ...body, attachments }, charts.map((a) => ({ name: a.filename, data: chartPng(a.chart!) })));
  return { body: data, passThroughBody: true, headers: { 'Content-Type': contentType } };
}
