/**
 * Interaction tokens of messages we answered through the interaction webhook. Discord lets the
 * webhook edit them for 15 minutes; after that (or in another process) edits use the bot token.
 */

/** A little under Discord's 15 minutes, so an edit never races the expiry. */
const TOKEN_LIFETIME_MS = 14 * 60_000;
/** Bounded so a busy bot does not grow this map forever; the oldest entries go first. */
const MAX_ENTRIES = 2_000;

export class WebhookTokens {
  readonly #byMessage = new Map<string, { token: string; expiresAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Remember that `messageId` was posted through the interaction webhook with `token`. */
  remember(messageId: string, token: string, issuedAt: number = this.now()): void {
    this.#byMessage.delete(messageId);
    this.#byMessage.set(messageId, { token, expiresAt: issuedAt + TOKEN_LIFETIME_MS });
    while (this.#byMessage.size > MAX_ENTRIES) this.#byMessage.delete(this.#byMessage.keys().next().value!);
  }

  /** The token while it is still valid, else undefined. */
  tokenFor(messageId: string): string | undefined {
    const entry = this.#byMessage.get(messageId);
    if (!entry) return undefined;
    if (entry.expiresAt > this.now()) return entry.token;
    this.#byMessage.delete(messageId);
    return undefined;
  }

  forget(messageId: string): void {
    this.#byMessage.delete(messageId);
  }
}
