/**
 * Tasks run one at a time per key and concurrently across keys: the outbox keeps each chat channel's
 * posts and edits in order while a slow or rate-limited channel holds up only itself.
 */
export class KeyedQueue {
  readonly #tails = new Map<string, Promise<void>>();
  #running = 0;
  readonly #idle: Array<() => void> = [];

  /** Queue `task` behind earlier tasks of `key`. Never rejects: a task's failure is its own to handle. */
  push(key: string, task: () => Promise<void>): void {
    this.#running++;
    const tail = (this.#tails.get(key) ?? Promise.resolve())
      .then(task)
      .catch(() => undefined)
      .finally(() => {
        if (this.#tails.get(key) === tail) this.#tails.delete(key);
        this.#running--;
        this.#idle.splice(0).forEach((wake) => wake());
      });
    this.#tails.set(key, tail);
  }

  /** Tasks queued or running. */
  get size(): number {
    return this.#running;
  }

  /** Resolves the next time a task finishes (or at once when nothing runs). */
  next(): Promise<void> {
    return this.#running === 0 ? Promise.resolve() : new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Resolves when every task has finished, or after `timeoutMs`, whichever comes first. */
  async drain(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.#running > 0 && Date.now() < deadline) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.next(), new Promise<void>((r) => (timer = setTimeout(r, Math.max(1, deadline - Date.now()))))]);
      clearTimeout(timer);
    }
  }
}
