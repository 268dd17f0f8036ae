import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStateStore } from '../../adapters/memory/memory-state.store.ts';
import type { Conversation, MessageRef } from '../../src/chat/chat-event.ts';
import type { Message } from '../../src/chat/message.ts';
import type { ChatPort } from '../../src/ports/chat.port.ts';
import { compareSeq, type OutboxItem } from '../../src/ports/outbox.port.ts';
import { deliverOutboxItem } from '../../src/pipeline/outbox-delivery.ts';

const conversation: Conversation = { platform: 'slack', channelId: 'C1' };
const msg = (text: string): Message => ({ text, blocks: [] });
const upsert = (text: string, seq?: string): OutboxItem => ({ op: 'upsert', key: 'job:j1', conversation, message: msg(text), ...(seq ? { seq } : {}) });

/** A chat that answers after `delayMs` and keeps what each message shows last. */
function slowChat(delayMs: (text: string) => number) {
  const shown = new Map<string, string>();
  const calls: string[] = [];
  let n = 0;
  const wait = (text: string) => new Promise((r) => setTimeout(r, delayMs(text)));
  const chat: ChatPort = {
    async post(_c, m) {
      await wait(m.text);
      const ref: MessageRef = { platform: 'slack', channelId: 'C1', messageId: `m${++n}` };
      shown.set(ref.messageId, m.text);
      calls.push(`post ${m.text}`);
      return ref;
    },
    async update(ref, m) {
      assert.equal(Object.keys(ref).includes('seq'), false, 'the platform never sees our bookkeeping');
      await wait(m.text);
      shown.set(ref.messageId, m.text);
      calls.push(`update ${m.text}`);
    },
    async replyInThread(ref, m) {
      calls.push(`thread ${m.text}`);
      return { ...ref, messageId: `t${++n}` };
    },
  };
  return { chat, shown, calls };
}

describe('outbox delivery order', () => {
  it('stream ids compare by time, then sequence', () => {
    assert.equal(compareSeq('1700000000000-2', '1700000000000-10'), -1);
    assert.equal(compareSeq('1700000000001-0', '1700000000000-10'), 1);
    assert.equal(compareSeq('5-5', '5-5'), 0);
  });

  it('an older upsert that arrives after a newer one is dropped, not applied over it', async () => {
    const state = new MemoryStateStore();
    const { chat, shown, calls } = slowChat(() => 0);
    assert.equal(await deliverOutboxItem(upsert('done', '10-1'), () => chat, state), 'posted');
    assert.equal(await deliverOutboxItem(upsert('queued', '10-0'), () => chat, state), 'stale');
    assert.equal(await deliverOutboxItem(upsert('done again', '10-1'), () => chat, state), 'stale', 'a redelivery of the same item is not applied twice');
    assert.deepEqual(calls, ['post done']);
    assert.deepEqual([...shown.values()], ['done']);
  });

  it('two deliverers at once (the older one slow to post): the message ends on the newest', async () => {
    for (let round = 0; round < 20; round++) {
      const state = new MemoryStateStore();
      const { chat, shown } = slowChat((text) => (text === 'queued' ? 5 + (round % 4) : round % 3));
      const results = await Promise.all([
        deliverOutboxItem(upsert('queued', '20-0'), () => chat, state),
        deliverOutboxItem(upsert('done', '20-1'), () => chat, state),
      ]);
      assert.equal(shown.size, 1, 'one message');
      assert.deepEqual([...shown.values()], ['done'], `round ${round}: ${results.join(', ')}`);
    }
  });

  it('a ref posted without a seq (the bot\'s own reply) is edited by the first sequenced upsert; thread items never count as stale', async () => {
    const state = new MemoryStateStore();
    const { chat, shown, calls } = slowChat(() => 0);
    await state.setMessageRef('job:j1', await chat.post(conversation, msg('queued')));
    assert.equal(await deliverOutboxItem(upsert('running', '30-0'), () => chat, state), 'edited');
    assert.equal(await deliverOutboxItem({ op: 'thread', key: 'job:j1', conversation, message: msg('log'), seq: '29-0' }, () => chat, state), 'threaded');
    assert.equal(await deliverOutboxItem(upsert('done'), () => chat, state), 'edited', 'an unsequenced upsert (in-process outbox) is applied as it comes');
    assert.deepEqual(calls, ['post queued', 'update running', 'thread log', 'update done']);
    assert.deepEqual([...shown.values()], ['done']);
  });
});
