/** ChatPort for a terminal: messages are printed with a short `#n` ref; buttons become numbers. */
import type { Writable } from 'node:stream';
import type { Conversation, MessageRef } from '../../src/chat/chat-event.ts';
import type { Message, Severity } from '../../src/chat/message.ts';
import { ChainopsError } from '../../src/errors.ts';
import type { ChatPort } from '../../src/ports/chat.port.ts';
import { paint, scrub, visibleWidth } from './ansi.ts';
import { ButtonRegistry } from './button-registry.ts';
import { renderText, severityMarker } from './text-renderer.ts';
import { defaultChartDir, writeChartFile } from './chart-file.ts';

export interface ConsoleChatOptions {
  /** ANSI colour; callers usually pass `shouldColor(output)`. @defaultValue false */
  color?: boolean;
  /** Columns for rules, tables and button rows. @defaultValue 80 */
  width?: number;
  /** ASCII-only output. @defaultValue false */
  ascii?: boolean;
  /** The console's own channel; messages to any other channel (alert routes) show `[channel]`. @defaultValue 'console' */
  channelId?: string;
  /** Where chart PNGs are written (their paths are printed). @defaultValue `$CHAINOPS_DATA_DIR/charts` or `<tmp>/chainops-charts` */
  chartDir?: string;
}

/** Hooks so an interactive session can clear its prompt before an asynchronous print and redraw it after. */
export interface WriteHooks {
  before(): void;
  after(): void;
}

const THREAD_INDENT = '    ';

/** A ChatPort that prints to a stream; message ids are an increasing counter (`'1'`, `'2'` …). */
export class ConsoleChat implements ChatPort {
  /** Every printed button's number; the session resolves typed numbers here. */
  readonly buttons = new ButtonRegistry();
  /** Set by an interactive session; undefined for plain output. */
  hooks: WriteHooks | undefined;
  private seq = 0;
  private readonly refs = new Map<string, MessageRef>();
  private lastWrite = 0;
  private readonly color: boolean;
  private readonly width: number;
  private readonly ascii: boolean;
  readonly channelId: string;
  private readonly chartDir: string;

  constructor(
    private readonly output: Writable,
    opts: ConsoleChatOptions = {},
  ) {
    this.color = opts.color ?? false;
    this.width = opts.width ?? 80;
    this.ascii = opts.ascii ?? false;
    this.channelId = opts.channelId ?? 'console';
    this.chartDir = opts.chartDir ?? defaultChartDir();
  }

  /** Prints a new message (under its thread when `conversation.threadId` is set). */
  async post(conversation: Conversation, message: Message): Promise<MessageRef> {
    const ref: MessageRef = {
      platform: 'console',
      channelId: conversation.channelId,
      messageId: String(++this.seq),
      ...(conversation.threadId !== undefined ? { threadId: conversation.threadId } : {}),
    };
    this.refs.set(ref.messageId, ref);
    this.print(ref, message, `#${ref.messageId}`);
    return ref;
  }

  /** Reprints a message marked `(#n updated)`; its previous buttons stop working. */
  async update(ref: MessageRef, message: Message): Promise<void> {
    const known = this.refs.get(ref.messageId);
    if (ref.platform !== 'console' || !known || known.channelId !== ref.channelId) {
      throw new ChainopsError('not_found', `console message #${ref.messageId} in ${ref.channelId} was never posted here — it cannot be updated`);
    }
    this.buttons.forget(known);
    this.print(known, message, `(#${known.messageId} updated)`);
  }

  /** Prints a reply indented under `↳ #n`, starting the thread of `ref` if needed. */
  async replyInThread(ref: MessageRef, message: Message): Promise<MessageRef> {
    const threadId = ref.threadId ?? ref.messageId;
    return this.post({ platform: 'console', channelId: ref.channelId, threadId }, message);
  }

  /** Prints a console line that is not a bot message (refusals of typed input, notices). */
  notice(text: string, severity: Severity = 'info'): void {
    this.write(`${severityMarker(severity, this.color, this.ascii)} ${scrub(text)}\n`);
  }

  /** Writes raw text (the session's echo of typed lines). */
  raw(text: string): void {
    this.write(text);
  }

  /**
   * Resolves once nothing has been printed for `quietMs` and the stream has drained, so a caller can
   * wait for job progress that arrives asynchronously. Resolves `false` if `timeoutMs` passes first.
   */
  async waitForIdle(opts: { quietMs?: number; timeoutMs?: number } = {}): Promise<boolean> {
    const quietMs = opts.quietMs ?? 100;
    const deadline = Date.now() + (opts.timeoutMs ?? 5_000);
    for (;;) {
      const quiet = Date.now() - this.lastWrite >= quietMs && !this.output.writableNeedDrain;
      if (quiet) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((r) => setTimeout(r, Math.min(20, quietMs)));
    }
  }

  private print(ref: MessageRef, message: Message, tag: string): void {
    const inThread = ref.threadId !== undefined;
    const indent = inThread ? THREAD_INDENT : '';
    const numbers = this.buttons.register(
      ref,
      message.blocks.flatMap((b) => (b.type === 'actions' ? b.buttons : [])),
    );
    const body = [renderText(message, {
      color: this.color,
      width: this.width - indent.length,
      ascii: this.ascii,
      buttonNumbers: numbers,
    }), ...this.charts(message)].join('\n');
    const notes = [
      ref.channelId !== this.channelId ? `[${ref.channelId}]` : '',
      message.ephemeral ? '(only you)' : '',
    ].filter(Boolean);
    const head = paint([tag, ...notes].join(' '), this.color, 'dim');
    const pad = ' '.repeat(visibleWidth(head) + 1);
    const lines = body.split('\n').map((l, i) => (i === 0 ? `${head} ${l}` : l === '' ? '' : pad + l));
    const arrow = this.ascii ? '->' : '↳';
    const out = [
      ...(inThread ? [paint(`  ${arrow} #${ref.threadId}`, this.color, 'dim')] : []),
      ...lines.map((l) => (l === '' ? '' : indent + l.trimEnd())),
    ];
    this.write(out.join('\n') + '\n');
  }

  /** Writes each chart attachment to a PNG file; one line per chart with its path. */
  private charts(message: Message): string[] {
    return (message.attachments ?? []).map((a) => {
      try {
        const path = writeChartFile(this.chartDir, a);
        return path ? `${this.ascii ? 'chart:' : '📈'} ${path}` : `${this.ascii ? 'chart:' : '📈'} (no data to draw)`;
      } catch (err) {
        return `✖ could not write the chart to ${this.chartDir}: ${(err as Error).message}`;
      }
    });
  }

  private write(text: string): void {
    this.hooks?.before();
    this.output.write(text);
    this.lastWrite = Date.now();
    this.hooks?.after();
  }
}
