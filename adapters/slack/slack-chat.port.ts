import { setTimeout as sleep } from 'node:timers/promises';
import type { App } from '@slack/bolt';
import type { Logger } from 'pino';
import type { Conversation, MessageRef } from '../../src/chat/chat-event.ts';
import type { Message } from '../../src/chat/message.ts';
import { ChainopsError } from '../../src/errors.ts';
import type { ChatPort } from '../../src/ports/chat.port.ts';
import { renderMessage } from './block-kit.renderer.ts';
import { ChannelQueue } from './channel-queue.ts';
import { uploadChart } from './slack-file-upload.ts';
import { describeSlackError, rateLimitDelaySec, slackErrorCode, SlackRateLimitedError } from './slack-api-errors.ts';

type WebClient = App['client'];

export interface SlackChatPortOptions {
  client: WebClient;
  logger: Logger;
  /** Rate-limit waits per call before giving up (the caller, e.g. the outbox, can retry later). @defaultValue 5 */
  maxRateLimitWaits?: number;
  /**
   * Longest Retry-After slept through in process (that channel only). A longer one fails the call at
   * once with a `SlackRateLimitedError` carrying `retryAfterMs`, and the channel stays on hold until
   * then: the outbox parks such posts in Redis and sends them when due. @defaultValue 5 s
   */
  maxRetryAfterSec?: number;
  /** Time source, for tests. @defaultValue Date.now */
  now?: () => number;
}

/**
 * ChatPort over Slack's Web API. Calls are serialised per channel; on HTTP 429 (or
 * `ok:false, error:ratelimited`) that channel alone waits a short Retry-After and retries, or is put
 * on hold for a long one (calls to it fail fast with `retryAfterMs` until then). Any other
 * `ok:false` becomes one clear log line and a `ChainopsError('unavailable')` for the caller.
 */
export class SlackChatPort implements ChatPort {
  private readonly queue = new ChannelQueue();
  private readonly stopping = new AbortController();
  private readonly client: WebClient;
  private readonly log: Logger;
  private readonly maxWaits: number;
  private readonly maxRetryAfterSec: number;
  private readonly now: () => number;
  /** Channels Slack told us to leave alone, and until when (epoch ms). */
  private readonly holds = new Map<string, number>();

  constructor(opts: SlackChatPortOptions) {
    this.client = opts.client;
    this.log = opts.logger;
    this.maxWaits = opts.maxRateLimitWaits ?? 5;
    this.maxRetryAfterSec = opts.maxRetryAfterSec ?? 5;
    this.now = opts.now ?? Date.now;
  }

  async post(conversation: Conversation, message: Message): Promise<MessageRef> {
    const { channelId, threadId } = conversation;
    const res = await this.call('chat.postMessage', channelId, () =>
      this.client.chat.postMessage({
        channel: channelId,
        ...renderMessage(message),
        ...(threadId ? { thread_ts: threadId } : {}),
        unfurl_links: false,
        unfurl_media: false,
      } as Parameters<WebClient['chat']['postMessage']>[0]),
    );
    const posted = ref(res.channel ?? channelId, res.ts, threadId);
    await this.uploadCharts(message, posted);
    return posted;
  }

  /**
   * Charts go into the thread of the message just posted (or the thread it is in). A failed upload is
   * logged, not thrown: the text is already out, and a retry of the whole item would post it twice.
   */
  private async uploadCharts(message: Message, posted: MessageRef): Promise<void> {
    for (const a of message.attachments ?? []) {
      try {
        await uploadChart(this.client, (method, channel, send) => this.call(method, channel, send), posted.channelId, posted.threadId ?? posted.messageId, a);
      } catch (err) {
        this.log.warn({ channel: posted.channelId, file: a.filename, err: (err as Error).message }, 'the chart could not be uploaded to Slack; the message went out without it');
      }
    }
  }

  async update(target: MessageRef, message: Message): Promise<void> {
    await this.call('chat.update', target.channelId, () =>
      this.client.chat.update({ channel: target.channelId, ts: target.messageId, ...renderMessage(message) } as Parameters<WebClient['chat']['update']>[0]),
    );
  }

  async replyInThread(target: MessageRef, message: Message): Promise<MessageRef> {
    // Replies always hang off the thread's root, even when `target` is itself a reply.
    return this.post({ platform: 'slack', channelId: target.channelId, threadId: target.threadId ?? target.messageId }, message);
  }

  /** Only `userId` sees it (errors, help). Slack gives back no editable ref for ephemeral messages. */
  async postEphemeral(conversation: Conversation, userId: string, message: Message): Promise<void> {
    const { channelId, threadId } = conversation;
    await this.call('chat.postEphemeral', channelId, () =>
      this.client.chat.postEphemeral({
        channel: channelId,
        user: userId,
        ...renderMessage(message),
        ...(threadId ? { thread_ts: threadId } : {}),
      } as Parameters<WebClient['chat']['postEphemeral']>[0]),
    );
  }

  /** Stop waiting on rate limits (shutdown): pending waits fail with `unavailable`. */
  close(): void {
    this.stopping.abort();
  }

  /** Milliseconds `channel` is still on hold for (0 when it is not). */
  heldFor(channel: string): number {
    const until = this.holds.get(channel);
    if (until === undefined) return 0;
    const left = until - this.now();
    if (left <= 0) this.holds.delete(channel);
    return Math.max(0, left);
  }

  private call<T extends { ok?: boolean }>(method: string, channel: string, send: () => Promise<T>): Promise<T & { ts: string; channel?: string }> {
    return this.queue.run(channel, async () => {
      for (let waits = 0; ; waits++) {
        const held = this.heldFor(channel);
        if (held > 0) {
          if (held > this.maxRetryAfterSec * 1000) throw this.onHold(method, channel, held);
          await this.pause(held);
          if (this.stopping.signal.aborted) throw this.onHold(method, channel, held);
        }
        try {
          return (await send()) as T & { ts: string; channel?: string };
        } catch (err) {
          const retryAfter = rateLimitDelaySec(err);
          if (retryAfter !== undefined) {
            this.holds.set(channel, Math.max(this.holds.get(channel) ?? 0, this.now() + retryAfter * 1000));
            if (waits < this.maxWaits && retryAfter <= this.maxRetryAfterSec && !this.stopping.signal.aborted) {
              this.log.warn({ method, channel, retryAfterSec: retryAfter }, `Slack rate-limited ${method} in ${channel}; this channel waits ${retryAfter}s, others go on`);
              continue;
            }
            throw this.onHold(method, channel, this.heldFor(channel), err);
          }
          const text = describeSlackError(method, err);
          this.log.error({ method, channel, slackError: slackErrorCode(err) }, text);
          throw new ChainopsError('unavailable', text, { cause: err });
        }
      }
    });
  }

  /** The error for a call to a channel on hold: says when to try again, and logs it once per call. */
  private onHold(method: string, channel: string, heldMs: number, cause?: unknown): SlackRateLimitedError {
    const sec = Math.ceil(heldMs / 1000);
    const text = `Slack rate-limited ${method} in ${channel} for ${sec}s (longer than the ${this.maxRetryAfterSec}s waited in process); not sent now — the outbox sends it again later, other channels go on`;
    this.log.warn({ method, channel, retryAfterSec: sec, slackError: 'ratelimited' }, text);
    return new SlackRateLimitedError(text, heldMs, cause === undefined ? undefined : { cause });
  }

  private async pause(ms: number): Promise<void> {
    try {
      await sleep(ms, undefined, { signal: this.stopping.signal });
    } catch {
      /* shutting down: the caller fails the call */
    }
  }
}

function ref(channelId: string, ts: string, threadId: string | undefined): MessageRef {
  return threadId ? { platform: 'slack', channelId, messageId: ts, threadId } : { platform: 'slack', channelId, messageId: ts };
}
