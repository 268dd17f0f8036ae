/**
 * One serial queue per key (a Slack channel): calls for the same channel run in order, one at a
 * time, so a rate-limit pause on one channel holds only that channel; other channels go on.
 */
export class ChannelQueue {
  private readonly tails = new Map<string, Promise<void>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task);
    // The stored tail never rejects, so one failed call does not poison the next ones.
    const tail = result.then(() => undefined, () => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Channels with work queued or running (for tests and metrics). */
  get busy(): number {
    return this.tails.size;
  }
}
