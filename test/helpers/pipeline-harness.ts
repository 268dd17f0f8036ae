import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { MemoryAuditLog } from '../../adapters/memory/memory-audit.log.ts';
import { MemoryRolloutStore } from '../../adapters/memory/memory-rollout.store.ts';
import { MemoryStateStore } from '../../adapters/memory/memory-state.store.ts';
import { MemoryJobQueue } from '../../adapters/memory/memory.queue.ts';
import { MemoryOutbox } from '../../adapters/outbox/memory.outbox.ts';
import type { Actor, ChatEvent, Conversation, MessageRef } from '../../src/chat/chat-event.ts';
import type { Block, Button, Message } from '../../src/chat/message.ts';
import { parseFleet } from '../../src/fleet/fleet.load.ts';
import type { Fleet } from '../../src/fleet/fleet.schema.ts';
import type { Snapshot } from '../../src/health/snapshot.ts';
import { createDispatch } from '../../src/pipeline/create-dispatch.ts';
import type { CoreDeps } from '../../src/pipeline/deps.ts';
import { deliverOutboxItem } from '../../src/pipeline/outbox-delivery.ts';
import type { ChatPort } from '../../src/ports/chat.port.ts';

export const T0 = Date.UTC(2025, 0, 6, 9, 0, 0);
export const MIN = 60_000;

/**
 * The demo fleet: carol operator, bob approver, alice admin, everyone else a viewer (console). Without
 * what only `npm run demo` shows (eth-devnet's dev node eth-4, its promotion and static release list):
 * tests that exercise those add them through `pipelineHarness(edit)`, so the others keep one prod-only group.
 */
export function demoFleet(): Fleet {
  const r = parseFleet(readFileSync(new URL('../../examples/demo/chainops.yaml', import.meta.url), 'utf8'));
  if (!r.ok) throw new Error(`demo fleet invalid: ${JSON.stringify(r.problems)}`);
  const eth = r.fleet.groups['eth-devnet'];
  if (eth) {
    delete eth.promotion;
    delete eth.releases;
  }
  r.fleet.nodes = r.fleet.nodes.filter((n) => n.name !== 'eth-4');
  return r.fleet;
}

/**
 * The core with in-memory ports: a clock the test moves, deterministic ids, RPC checks answering
 * `running[node]` (default: the group's desired version), and an outbox delivered in-process to a
 * recording chat port (as a bot replica would).
 */
export function pipelineHarness(edit: (f: Fleet) => void = () => {}) {
  let now = T0;
  const clock = { now: () => now };
  const fleet = demoFleet();
  edit(fleet);
  const state = new MemoryStateStore({ clock });
  const queue = new MemoryJobQueue({ clock });
  const audit = new MemoryAuditLog();
  const rollouts = new MemoryRolloutStore();
  let msgSeq = 0;
  const chatLog: Array<{ op: 'post' | 'update' | 'thread'; ref: MessageRef; message: Message }> = [];
  const chat: ChatPort = {
    async post(conversation, message) {
      const ref = { platform: conversation.platform, channelId: conversation.channelId, messageId: `m${++msgSeq}` };
      chatLog.push({ op: 'post', ref, message });
      return ref;
    },
    async update(ref, message) {
      chatLog.push({ op: 'update', ref, message });
    },
    async replyInThread(ref, message) {
      chatLog.push({ op: 'thread', ref, message });
      return { ...ref, messageId: `m${++msgSeq}` };
    },
  };
  const outbox = new MemoryOutbox((item) => deliverOutboxItem(item, () => chat, state));
  const running: Record<string, string> = {};
  const checked: string[][] = [];
  let idSeq = 0;
  const snapshotOf = (name: string): Snapshot => {
    const n = fleet.nodes.find((x) => x.name === name)!;
    const g = fleet.groups[n.group]!;
    return { node: name, group: n.group, env: n.env, chain: g.chain, network: g.network, at: now, reachable: true, version: running[name] ?? g.desired_version, head: 1000, headTime: now - 2_000, peers: 3, latencyMs: 4, warnings: [] };
  };
  const deps: CoreDeps = {
    fleet: () => fleet, queue, state, audit, outbox, clock, rollouts,
    logger: { info() {}, warn() {}, debug() {}, error() {} },
    checkNow: async (nodes) => {
      checked.push(nodes);
      const snaps = nodes.map(snapshotOf);
      await state.putSnapshots(snaps);
      return snaps;
    },
    newId: () => (++idSeq).toString().padStart(6, '0'),
  };
  const dispatch = createDispatch(deps);
  const conversation: Conversation = { platform: 'console', channelId: 'ops' };
  const actor = (id: string): Actor => ({ platform: 'console', id, roleIds: [] });

  async function deliver(event: ChatEvent): Promise<Message> {
    const replies: Message[] = [];
    await dispatch(event, async (m) => {
      replies.push(m);
      const ref = { platform: 'console' as const, channelId: 'ops', messageId: `m${++msgSeq}` };
      chatLog.push({ op: 'post', ref, message: m });
      return ref;
    });
    assert.equal(replies.length, 1, `expected one reply, got ${replies.map((r) => r.text).join(' | ')}`);
    return replies[0]!;
  }
  return {
    deps, state, queue, audit, outbox, chatLog, checked, running, rollouts, fleet,
    /** Type a command as a console user; returns the one reply. */
    send: (user: string, text: string) => deliver({ kind: 'command', actor: actor(user), conversation, text }),
    /** Click a button as a console user. */
    click: (user: string, button: Button) => deliver({ kind: 'action', actor: actor(user), conversation, actionId: button.actionId, value: button.value }),
    tick: (ms: number) => void (now += ms),
    now: () => now,
  };
}

export const buttonsOf = (m: Message): Button[] => m.blocks.flatMap((b) => (b.type === 'actions' ? b.buttons : []));
export const allText = (m: Message): string => [m.text, ...m.blocks.map((b: Block) => JSON.stringify(b))].join('\n');
