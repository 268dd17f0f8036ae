import { setTimeout as sleep } from 'node:timers/promises';
import type { App } from '@slack/bolt';
import type { Logger } from 'pino';
import type { Conversation, MessageRef } from '../../src/chat/chat-event.ts';
import type { Message } from '../../src/chat/message.ts';
import { ChainopsError } from '../../src/errors.ts';
import type { ChatPort } from '../../src/ports/chat.port.ts';
import { renderMessage } from './block-kit.renderer.ts';
import { ChannelQueue } from './channel-queue.ts';
import { describeSlackError, rateLimitDelaySec, slackErrorCode } from './slack-api-errors.ts';

type WebClient = App['client'];

export interface SlackChatPortOptions {
  client: WebClient;
  logger: Logger;
  /** Rate-limit waits per call before giving up (the caller, e.g. BullMQ, can retry later). @defaultValue 5 */
  maxRateLimitWaits?: number;
  /** Longest Retry-After we sleep through in process; longer ones fail fast. @defaultValue 120 s */
  maxRetryAfterSec?: number;
}

/**
 * ChatPort over Slack's Web API. Calls are serialised per channel; on HTTP 429 (or
 * `ok:false, error:ratelimited`) that channel alone waits Retry-After, then retries. Any other
 * `ok:false` becomes one clear log line and a `ChainopsError('unavailable')` for the caller.
 */
export class SlackChatPort implements ChatPort {
  private readonly queue = new ChannelQueue();
  private readonly stopping = new AbortController();
  private readonly client: WebClient;
  private readonly log: Logger;
  private readonly maxWaits: number;
  private readonly maxRetryAfterSec: number;

  constructor(opts: SlackChatPortOptions) {
    this.client = opts.client;
    this.log = opts.logger;
    this.maxWaits = opts.maxRateLimitWaits ?? 5;
    this.maxRetryAfterSec = opts.maxRetryAfterSec ?? 120;
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
    return ref(res.channel ?? channelId, res.ts, threadId);
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

  private call<T extends { ok?: boolean }>(method: string, channel: string, send: () => Promise<T>): Promise<T & { ts: string; channel?: string }> {
    return this.queue.run(channel, async () => {
      for (let waits = 0; ; waits++) {
        try {
          return (await send()) as T & { ts: string; channel?: string };
        } catch (err) {
          const retryAfter = rateLimitDelaySec(err);
          if (retryAfter !== undefined && waits < this.maxWaits && retryAfter <= this.maxRetryAfterSec && !this.stopping.signal.aborted) {
            this.log.warn({ method, channel, retryAfterSec: retryAfter }, `Slack rate-limited ${method} in ${channel}; this channel waits ${retryAfter}s, others go on`);
            try {
              await sleep(retryAfter * 1000, undefined, { signal: this.stopping.signal });
            } catch {
              /* shutting down: fall through to the failure below */
            }
            if (!this.stopping.signal.aborted) continue;
          }
          const text = describeSlackError(method, err);
          this.log.error({ method, channel, slackError: slackErrorCode(err) }, text);
          throw new ChainopsError('unavailable', text, { cause: err });
        }
      }
    });
  }
}

function ref(channelId: string, ts: string, threadId: string | undefined): MessageRef {
  return threadId ? { platform: 'slack', channelId, messageId: ts, threadId } : { platform: 'slack', channelId, messageId: ts };
}
