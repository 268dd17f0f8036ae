// The core (createDispatch) on in-memory ports, for table-driven abuse tests: a clock the test
// moves, deterministic ids, RPC checks that answer from the fleet file, every reply and every chat
// edit recorded, and a snapshot of everything a command could have changed.
import { MemoryRolloutStore } from '../../../adapters/memory/memory-rollout.store.ts';
import { MemoryAuditLog } from '../../../adapters/memory/memory-audit.log.ts';
import { MemoryStateStore } from '../../../adapters/memory/memory-state.store.ts';
import { MemoryJobQueue } from '../../../adapters/memory/memory.queue.ts';
import { MemoryOutbox } from '../../../adapters/outbox/memory.outbox.ts';
import type { Actor, ChatEvent, Conversation, MessageRef } from '../../../src/chat/chat-event.ts';
import type { Button, Message } from '../../../src/chat/message.ts';
import type { Fleet } from '../../../src/fleet/fleet.schema.ts';
import type { Snapshot } from '../../../src/health/snapshot.ts';
import { createDispatch } from '../../../src/pipeline/create-dispatch.ts';
import type { CoreDeps } from '../../../src/pipeline/deps.ts';

export const T0 = Date.UTC(2025, 0, 6, 9, 0, 0);

export interface MemoryCore {
  deps: CoreDeps;
  state: MemoryStateStore;
  queue: MemoryJobQueue;
  audit: MemoryAuditLog;
  outbox: MemoryOutbox;
  /** Internal errors the core logged (a fuzzed or refused command must never produce one). */
  errors: object[];
  /** Dispatch one event; returns every reply it produced (normally exactly one). */
  deliver(event: ChatEvent): Promise<Message[]>;
  /** Type `text` as `actor`. */
  send(actor: Actor, text: string): Promise<Message[]>;
  /** Click a button as `actor`. */
  click(actor: Actor, actionId: string, value: string): Promise<Message[]>;
  /** Everything a command may change, for before/after comparison. */
  effects(): Promise<Effects>;
  tick(ms: number): void;
  fleet(): Fleet;
  setFleet(f: Fleet): void;
  /** Make the fake RPC report this version for a node (changes upgrade plans). */
  setRunning(node: string, version: string): Promise<void>;
}

export interface Effects {
  jobs: number;
  approvals: Array<{ id: string; status: string; approvals: number }>;
  locks: string[];
  freezes: string[];
  outbox: number;
}

export const conversationOf = (a: Actor): Conversation => ({ platform: a.platform, channelId: a.platform === 'slack' ? 'C0OPS' : a.platform === 'discord' ? '700000000000000001' : 'console' });

export function memoryCore(initial: Fleet): MemoryCore {
  let now = T0;
  const clock = { now: () => now };
  let fleet = structuredClone(initial);
  const state = new MemoryStateStore({ clock });
  const queue = new MemoryJobQueue({ clock });
  const audit = new MemoryAuditLog({ maxLen: 10_000 });
  const outbox = new MemoryOutbox();
  const errors: object[] = [];
  const running = new Map<string, string>();
  let seq = 0;
  let msg = 0;
  const snapshotOf = (name: string): Snapshot => {
    const n = fleet.nodes.find((x) => x.name === name);
    const g = n ? fleet.groups[n.group] : undefined;
    if (!n || !g) return { node: name, group: '?', env: '?', chain: 'ethereum', network: '?', at: now, reachable: false, latencyMs: 0, warnings: [], error: 'unknown node' };
    return { node: name, group: n.group, env: n.env, chain: g.chain, network: g.network, at: now, reachable: true, version: running.get(name) ?? g.desired_version, head: 1000, headTime: now - 2_000, peers: 3, latencyMs: 4, warnings: [] };
  };
  const deps: CoreDeps = {
    fleet: () => fleet,
    queue,
    state,
    audit,
    outbox,
    clock,
    logger: { info() {}, warn() {}, debug() {}, error: (o: object) => void errors.push(o) },
    checkNow: async (nodes) => nodes.map(snapshotOf),
    newId: () => (++seq).toString(36).padStart(6, '0'),
    rollouts: new MemoryRolloutStore(),
  };
  const dispatch = createDispatch(deps);
  const deliver = async (event: ChatEvent): Promise<Message[]> => {
    const replies: Message[] = [];
    await dispatch(event, async (m): Promise<MessageRef> => {
      replies.push(m);
      return { ...conversationOf(event.actor), messageId: `m${++msg}` };
    });
    return replies;
  };
  return {
    deps, state, queue, audit, outbox, errors, deliver,
    send: (actor, text) => deliver({ kind: 'command', actor, conversation: conversationOf(actor), text }),
    click: (actor, actionId, value) => deliver({ kind: 'action', actor, conversation: conversationOf(actor), actionId, value }),
    async effects() {
      const envs = Object.keys(fleet.environments);
      const freezes = (await Promise.all(envs.map(async (e) => ((await state.getFreeze(e)) ? e : undefined)))).filter((e): e is string => e !== undefined);
      return {
        jobs: queue.jobs().length,
        approvals: (await state.listApprovals()).map((a) => ({ id: a.id, status: a.status, approvals: a.approvals.length })),
        locks: (await state.listLocks()).map((l) => l.key),
        freezes,
        outbox: outbox.items.length,
      };
    },
    tick: (ms) => void (now += ms),
    fleet: () => fleet,
    setFleet: (f) => void (fleet = structuredClone(f)),
    async setRunning(node, version) {
      running.set(node, version);
      await state.putSnapshots([snapshotOf(node)]);
    },
  };
}

/** The buttons of a reply, e.g. to find an approval's id and click it. */
export const buttonsOf = (m: Message): Button[] => m.blocks.flatMap((b) => (b.type === 'actions' ? b.buttons : []));

/** Every text of a message in one string, for matching. */
export const textOf = (m: Message): string => [m.text, ...m.blocks.map((b) => JSON.stringify(b))].join('\n');
