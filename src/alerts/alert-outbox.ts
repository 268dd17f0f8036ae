import type { Conversation } from '../chat/chat-event.ts';
import type { Message, Severity } from '../chat/message.ts';
import type { OutboxItem } from '../ports/outbox.port.ts';
import { alertMessage, alertThreadMessage, alertTitle } from '../render/alert.message.ts';
import { ago, isoTime } from '../render/basic.messages.ts';
import type { Alert, AlertNotice } from './alert.types.ts';
import { alertChartMessage } from '../charts/alert-chart.ts';

/** The outbox key of an alert's root message on its n-th target (the first is `alert:<id>`). */
export function alertKey(a: Pick<Alert, 'id'>, target?: Conversation, index = 0): string {
  return index === 0 || !target ? `alert:${a.id}` : `alert:${a.id}:${target.platform}:${target.channelId}`;
}

/** Edit the root message of an alert in place on every target. */
export function rootItems(a: Alert, now: number): OutboxItem[] {
  const message = alertMessage(a, now);
  return a.targets.map((conversation, i) => ({ op: 'upsert', key: alertKey(a, conversation, i), conversation, message }));
}

/** Post a line in the alert's thread on every target. */
export function threadItems(a: Alert, message: Message): OutboxItem[] {
  return a.targets.map((conversation, i) => ({ op: 'thread', key: alertKey(a, conversation, i), conversation, message }));
}

/** What each notice shows: the root edited in place, and (except when it first fires) a line in the thread. */
export function alertOutboxItems(n: AlertNotice, now: number): OutboxItem[] {
  const a = n.alert;
  const line = (text: string, severity: Severity = 'info') => threadItems(a, alertThreadMessage(text, severity));
  switch (n.kind) {
    case 'fired': {
      // The KPI chart goes in the thread; its data is read from the history when it is delivered.
      const chart = alertChartMessage(a);
      return [...rootItems(a, now), ...(chart ? threadItems(a, chart) : [])];
    }
    case 'resolved':
      return [...rootItems(a, now), ...line(`✅ Resolved after ${ago((a.resolvedAt ?? now) - (a.firedAt ?? a.since)).replace(' ago', '')}: ${a.resolution ?? 'the condition cleared'}.`, 'ok')];
    case 'reminder':
      return [...rootItems(a, now), ...line(`⏰ Still firing and not acknowledged after ${ago(now - (a.firedAt ?? a.since)).replace(' ago', '')}: ${a.summary}. Acknowledge or silence it.`, 'warn')];
    case 'acknowledged':
      return [...rootItems(a, now), ...line(`👀 Acknowledged by ${a.ack?.by ?? 'someone'}; reminders stop. It resolves by itself once the condition clears.`)];
    case 'silenced':
      return [...rootItems(a, now), ...line(`🔕 Silenced by ${n.silence.by} until ${isoTime(n.silence.until)} (${n.silence.kind} ${n.silence.label})${n.silence.reason ? `: ${n.silence.reason}` : ''}.`)];
    case 'unsilenced':
      return [...rootItems(a, now), ...line(`🔔 The silence ended and ${alertTitle(a)} is still firing: ${a.summary}.`, 'warn')];
    case 'note':
      return line(n.text, n.severity ?? 'info');
  }
}
