// The alert engine wired as the worker and the bot wire it, in one process: the real RPC checkers
// against real nodes, the health processor (sweep → snapshots → alert evaluation), an outbox
// delivered to the real console adapter, and a console session whose typed numbers press buttons.
import { PassThrough } from 'node:stream';
import { ConsoleChat, startConsole, type ConsoleSession } from '../../adapters/console/index.ts';
import { waitFor } from '../../adapters/local/wait-for.ts';
import { MemoryAlertStore } from '../../adapters/memory/memory-alert.store.ts';
import { MemoryAuditLog } from '../../adapters/memory/memory-audit.log.ts';
import { MemoryRolloutStore } from '../../adapters/memory/memory-rollout.store.ts';
import { MemoryStateStore } from '../../adapters/memory/memory-state.store.ts';
import { MemoryJobQueue } from '../../adapters/memory/memory.queue.ts';
import { MemoryOutbox } from '../../adapters/outbox/memory.outbox.ts';
import { createCheckers } from '../../adapters/rpc/checker-registry.ts';
import { healthProcessor, type HealthDeps } from '../../jobs/health/health.processor.ts';
import type { Alert } from '../../src/alerts/alert.types.ts';
import type { MessageRef } from '../../src/chat/chat-event.ts';
import type { Message } from '../../src/chat/message.ts';
import type { Fleet } from '../../src/fleet/fleet.schema.ts';
import { sweep as sweepNodes } from '../../src/health/sweep.ts';
import { createDispatch } from '../../src/pipeline/create-dispatch.ts';
import type { CoreDeps } from '../../src/pipeline/deps.ts';
import { deliverOutboxItem } from '../../src/pipeline/outbox-delivery.ts';
import type { ChatPort } from '../../src/ports/chat.port.ts';
import { systemClock } from '../../src/ports/clock.port.ts';
import type { SshRunner } from '../../src/ports/ssh.port.ts';

export interface ChatCall {
  op: 'post' | 'update' | 'thread';
  /** The message posted or edited; for `thread`, the root replied under. */
  ref: MessageRef;
  message: Message;
}

export interface AlertHarness {
  /** What the health worker gets (also enough for the remediate processor). */
  deps: HealthDeps;
  fleet(): Fleet;
  setFleet(f: Fleet): void;
  alerts: MemoryAlertStore;
  state: MemoryStateStore;
  audit: MemoryAuditLog;
  queue: MemoryJobQueue;
  outbox: MemoryOutbox;
  /** Every chat call the outbox made, in order. */
  calls: ChatCall[];
  /** The console transcript. */
  output(): string;
  /** One scheduled sweep, run as the worker runs it. */
  sweep(): Promise<unknown>;
  /** One run of the host-facts job (SSH). */
  hostSweep(): Promise<unknown>;
  /** Sweep (paced) until `probe` answers; the deadline error shows the transcript tail. */
  sweepUntil<T>(probe: () => Promise<T | undefined | false> | T | undefined | false, what: string, timeoutMs?: number): Promise<T>;
  /** Active alerts that are firing or acknowledged. */
  firing(): Promise<Alert[]>;
  /** The chat message the alert's root was posted as. */
  root(alert: Alert): Promise<MessageRef | undefined>;
  /** Messages replied in the thread of this root. */
  thread(root: MessageRef): Message[];
  /** The console number of a button in the latest printing of the alert's root message. */
  button(alert: Alert, label: string): Promise<string | undefined>;
  /** Type a line into the console as its user (a number presses that button). */
  type(line: string): void;
  close(): Promise<void>;
}

export async function alertHarness(initial: Fleet, opts: { user?: string; ssh?: SshRunner; paceMs?: number } = {}): Promise<AlertHarness> {
  let fleet = initial;
  const clock = systemClock;
  const state = new MemoryStateStore({ clock });
  const alerts = new MemoryAlertStore({ clock });
  const audit = new MemoryAuditLog({ maxLen: 5_000 });
  const queue = new MemoryJobQueue({ clock });
  const checkers = createCheckers();
  const out = new PassThrough();
  let transcript = '';
  out.on('data', (d: Buffer) => (transcript += d.toString()));
  const chat = new ConsoleChat(out, { color: false, width: 120 });
  const calls: ChatCall[] = [];
  const recording: ChatPort = {
    async post(conversation, message) {
      const ref = await chat.post(conversation, message);
      calls.push({ op: 'post', ref, message });
      return ref;
    },
    async update(ref, message) {
      await chat.update(ref, message);
      calls.push({ op: 'update', ref, message });
    },
    async replyInThread(ref, message) {
      calls.push({ op: 'thread', ref, message });
      return chat.replyInThread(ref, message);
    },
  };
  const outbox = new MemoryOutbox((item) => deliverOutboxItem(item, () => recording, state));
  const logger = { info() {}, warn() {}, debug() {}, error(o: object, m?: string) { console.error(m, o); } };
  const deps: HealthDeps = {
    fleet: () => fleet, checkerFor: checkers, state, audit, outbox, clock, logger, alerts, queue,
    ...(opts.ssh ? { ssh: opts.ssh } : {}),
  };
  const core: CoreDeps = {
    fleet: () => fleet, queue, state, audit, outbox, clock, logger, alerts,
    rollouts: new MemoryRolloutStore(),
    newId: () => Math.random().toString(36).slice(2, 10).padEnd(8, '0'),
    checkNow: (nodes) => sweepNodes(fleet, checkers, { nodes, concurrency: 16, timeoutMs: fleet.health.timeout, now: () => Date.now() }),
  };
  const input = new PassThrough();
  const session: ConsoleSession = startConsole({ input, output: out, user: opts.user ?? 'carol', dispatch: createDispatch(core), chat, color: false });
  const processor = healthProcessor(deps);
  let n = 0;
  const job = (kind: 'sweep' | 'host') => processor({ id: `${kind}-${++n}`, queue: 'health', data: { v: 1, kind }, attempt: 1, progress: async () => {}, log: async () => {} });
  const sweep = () => job('sweep');
  const tail = () => transcript.slice(-3_000);
  return {
    deps,
    fleet: () => fleet,
    setFleet: (f) => void (fleet = f),
    alerts, state, audit, queue, outbox, calls,
    output: () => transcript,
    sweep,
    hostSweep: () => job('host'),
    async sweepUntil(probe, what, timeoutMs = 30_000) {
      try {
        return await waitFor(async () => {
          await sweep();
          return probe();
        }, { what, timeoutMs, intervalMs: opts.paceMs ?? 700 });
      } catch (err) {
        throw new Error(`${(err as Error).message}\n--- alerts ---\n${JSON.stringify((await alerts.active()).map((a) => [a.key, a.state, a.summary]))}\n--- console tail ---\n${tail()}`);
      }
    },
    firing: async () => (await alerts.active()).filter((a) => a.state === 'firing' || a.state === 'acknowledged'),
    root: (alert) => state.getMessageRef(`alert:${alert.id}`),
    thread: (root) => calls.filter((c) => c.op === 'thread' && c.ref.messageId === root.messageId && c.ref.channelId === root.channelId).map((c) => c.message),
    async button(alert, label) {
      const root = await state.getMessageRef(`alert:${alert.id}`);
      if (!root) return undefined;
      const heads = [...transcript.matchAll(new RegExp(`^(?:#${root.messageId} |\\(#${root.messageId} updated\\))`, 'gm'))];
      const start = heads.at(-1)?.index;
      if (start === undefined) return undefined;
      const rest = transcript.slice(start + 1);
      const end = rest.search(/\n(?:#\d+ |\(#\d+ updated\)|\s+↳)/);
      const block = end < 0 ? rest : rest.slice(0, end);
      return new RegExp(`\\[(\\d+)\\] ${label}`).exec(block)?.[1];
    },
    type: (line) => void input.write(`${line}\n`),
    async close() {
      input.end();
      await session.closed;
      await checkers.close();
    },
  };
}

/** One JSON-RPC call straight to a node, for comparing what the alert says with what the node says. */
export async function rpc(url: string, method: string, params: unknown[] = [], auth?: { user: string; password: string }): Promise<unknown> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      connection: 'close',
      ...(auth ? { authorization: `Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString('base64')}` } : {}),
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    signal: AbortSignal.timeout(5_000),
  });
  const body = (await res.json()) as { result?: unknown; error?: { message: string } | null };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}
