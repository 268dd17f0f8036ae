/** Global button numbers for the console: the terminal has no clicks, so people type a number. */
import type { MessageRef } from '../../src/chat/chat-event.ts';
import type { Button } from '../../src/chat/message.ts';

/** What pressing a number sends back. */
export interface RegisteredButton {
  actionId: string;
  value: string;
  label: string;
  confirm?: { title: string; text: string };
  message: MessageRef;
}

export type ButtonLookup =
  | { status: 'ok'; button: RegisteredButton }
  /** The button's message was updated since: its buttons were replaced. */
  | { status: 'spent'; messageId: string }
  | { status: 'unknown' };

const key = (ref: MessageRef) => `${ref.channelId}\u0000${ref.messageId}`;

/** Numbers buttons 1, 2, 3 … across every message printed, and forgets them when their message changes. */
export class ButtonRegistry {
  private next = 1;
  private readonly live = new Map<number, RegisteredButton>();
  private readonly byMessage = new Map<string, number[]>();
  /** Spent numbers are kept (not just deleted) so a press can say why it no longer works. */
  private readonly spent = new Map<number, string>();

  /** Gives each of `buttons` (on message `ref`) the next global number and returns the numbers. */
  register(ref: MessageRef, buttons: Button[]): number[] {
    const numbers = buttons.map((b) => {
      const n = this.next++;
      this.live.set(n, { actionId: b.actionId, value: b.value, label: b.label, confirm: b.confirm, message: ref });
      return n;
    });
    const k = key(ref);
    this.byMessage.set(k, [...(this.byMessage.get(k) ?? []), ...numbers]);
    return numbers;
  }

  /** Marks every button of message `ref` as spent (called before its new version is printed). */
  forget(ref: MessageRef): void {
    const k = key(ref);
    for (const n of this.byMessage.get(k) ?? []) {
      this.live.delete(n);
      this.spent.set(n, ref.messageId);
    }
    this.byMessage.delete(k);
  }

  /** Finds the button a person typed the number of. */
  lookup(n: number): ButtonLookup {
    const button = this.live.get(n);
    if (button) return { status: 'ok', button };
    const messageId = this.spent.get(n);
    return messageId !== undefined ? { status: 'spent', messageId } : { status: 'unknown' };
  }
}
