import type { App } from '@slack/bolt';
import type { ChartAttachment } from '../../src/charts/chart-attachment.ts';
import { ChainopsError } from '../../src/errors.ts';
import { chartPng } from '../chart/chart-png.ts';

type WebClient = App['client'];

/** How the port sends one Web API call (serialised per channel, rate limits handled). */
export type SlackCall = <T extends { ok?: boolean }>(method: string, channel: string, send: () => Promise<T>) => Promise<T>;

/**
 * Upload a chart into a thread with Slack's external upload flow: `files.getUploadURLExternal`
 * (name, size, `alt_txt` as the method page documents it) → POST the PNG bytes to the returned `upload_url` (pre-signed: no token is
 * sent there) → `files.completeUploadExternal` sharing it in `channel` under `threadTs`.
 * (The older `files.upload` is retired.)
 */
export async function uploadChart(client: WebClient, call: SlackCall, channel: string, threadTs: string, a: ChartAttachment): Promise<string | undefined> {
  if (!a.chart) return undefined;
  const png = chartPng(a.chart);
  const alt = a.alt.slice(0, 1000);
  const url = await call('files.getUploadURLExternal', channel, () => client.files.getUploadURLExternal({ filename: a.filename, length: png.length, alt_txt: alt } as unknown as Parameters<WebClient['files']['getUploadURLExternal']>[0]));
  if (!url.upload_url || !url.file_id) throw new ChainopsError('unavailable', 'Slack gave no upload_url for the chart — check the app has the files:write scope');
  const res = await fetch(url.upload_url, { method: 'POST', body: png, headers: { 'content-type': 'application/octet-stream' } });
  if (!res.ok) throw new ChainopsError('unavailable', `Slack refused the chart upload (HTTP ${res.status}) — the text was posted without it`);
  await call('files.completeUploadExternal', channel, () =>
    client.files.completeUploadExternal({ files: [{ id: url.file_id!, title: a.alt.slice(0, 250) }], channel_id: channel, thread_ts: threadTs }),
  );
  return url.file_id;
}
