import type { ChartAttachment } from '../charts/chart-attachment.ts';

/** Neutral message model: the core builds these; each adapter renders them within its limits. */

export type Severity = 'info' | 'ok' | 'warn' | 'error';

export interface Button {
  /** Action id; the click comes back as an ActionEvent with this `actionId`. */
  actionId: string;
  label: string;
  /** Argument echoed back with the click (kept short: Discord custom ids are ≤ 100 chars). */
  value: string;
  style?: 'primary' | 'danger';
  /** Ask "are you sure?" before sending the click (dangerous actions). */
  confirm?: { title: string; text: string };
}

export type Block =
  | { type: 'header'; text: string }
  | { type: 'text'; text: string }
  | { type: 'fields'; fields: Array<{ label: string; value: string }> }
  | { type: 'table'; columns: string[]; rows: string[][] }
  | { type: 'code'; text: string }
  | { type: 'context'; text: string }
  | { type: 'actions'; buttons: Button[] }
  | { type: 'divider' };

export interface Message {
  /** Plain-text fallback (notifications, screen readers, platforms that cannot render blocks). */
  text: string;
  blocks: Block[];
  severity?: Severity;
  /** Only the asker sees it (errors, help). */
  ephemeral?: boolean;
  /** Images sent with the message (KPI charts); platforms without files show the text only. */
  attachments?: ChartAttachment[];
}
