import type { Outbox, OutboxItem } from '../../src/ports/outbox.port.ts';

/** In-process outbox: hands items straight to a deliverer (unit tests, single-process console). */
export class MemoryOutbox implements Outbox {
  readonly items: OutboxItem[] = [];
  constructor(private readonly deliver?: (item: OutboxItem) => Promise<unknown>) {}

  async publish(item: OutboxItem): Promise<void> {
    this.items.push(item);
    if (this.deliver) await this.deliver(item);
  }
}
