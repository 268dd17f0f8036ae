import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';

/** What the app sent back for an envelope: `{ envelope_id, payload }` (payload may be empty). */
export interface SocketAck {
  envelope_id: string;
  payload?: Record<string, unknown>;
}

export interface EnvelopeOptions {
  /** Slack's retry counter for events_api envelopes (0 on first delivery). */
  retryAttempt?: number;
  retryReason?: string;
  /** How long to wait for the ack. @defaultValue 3000 (Slack's window) */
  ackTimeoutMs?: number;
}

/**
 * The Socket Mode side of the stand-in: a WebSocket server on the stand-in's HTTP server at
 * `/link`, speaking Slack's documented protocol: `{"type":"hello"}` on connect, envelopes
 * `{envelope_id, type, payload, accepts_response_payload, retry_attempt, retry_reason}`, acks
 * `{envelope_id, payload}` back, and server pings so the client's ping watchdog stays content.
 */
export class SlackSocketStandIn {
  private readonly wss: WebSocketServer;
  private readonly sockets = new Set<WebSocket>();
  private readonly pending = new Map<string, (ack: SocketAck) => void>();
  private readonly pinger: NodeJS.Timeout;
  /** Every ack received, in order. */
  readonly acks: SocketAck[] = [];
  connections = 0;

  constructor(server: Server) {
    // Slack's URLs look like wss://…/link/?ticket=…; ws's `path` option wants an exact match, so
    // the upgrade is routed by hand.
    this.wss = new WebSocketServer({ noServer: true });
    server.on('upgrade', (req, socket, head) => {
      if (!new URL(req.url ?? '/', 'http://x').pathname.startsWith('/link')) return void socket.destroy();
      this.wss.handleUpgrade(req, socket, head, (ws) => this.wss.emit('connection', ws, req));
    });
    this.wss.on('connection', (ws) => {
      this.connections++;
      this.sockets.add(ws);
      ws.on('close', () => this.sockets.delete(ws));
      ws.on('message', (data) => this.onMessage(String(data)));
      ws.send(JSON.stringify({ type: 'hello', num_connections: this.sockets.size, debug_info: { host: 'stand-in' }, connection_info: { app_id: 'A0STANDIN' } }));
    });
    this.pinger = setInterval(() => this.sockets.forEach((ws) => ws.ping('stand-in')), 10_000);
    this.pinger.unref();
  }

  /** Resolves once a client is connected (it has been sent hello). */
  async waitForConnection(timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.sockets.size === 0) {
      if (Date.now() > deadline) throw new Error('no Socket Mode client connected');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /**
   * Send one envelope (`slash_commands`, `interactive`, `events_api`) to the connected client and
   * resolve with its ack; rejects when no ack comes within `ackTimeoutMs`.
   */
  sendEnvelope(type: 'slash_commands' | 'interactive' | 'events_api', payload: Record<string, unknown>, opts: EnvelopeOptions = {}): Promise<SocketAck> {
    const ws = [...this.sockets][0];
    if (!ws) return Promise.reject(new Error('no Socket Mode client connected'));
    const envelope_id = randomUUID();
    const envelope = {
      envelope_id,
      type,
      payload,
      accepts_response_payload: type !== 'events_api',
      ...(type === 'events_api' ? { retry_attempt: opts.retryAttempt ?? 0, retry_reason: opts.retryReason ?? '' } : {}),
    };
    return new Promise<SocketAck>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(envelope_id);
        reject(new Error(`envelope ${type} not acked within ${opts.ackTimeoutMs ?? 3000}ms`));
      }, opts.ackTimeoutMs ?? 3000);
      this.pending.set(envelope_id, (ack) => {
        clearTimeout(timer);
        resolve(ack);
      });
      ws.send(JSON.stringify(envelope));
    });
  }

  /** Ask the client to reconnect, as Slack does before recycling a connection. */
  disconnectAll(reason = 'refresh_requested'): void {
    for (const ws of this.sockets) ws.send(JSON.stringify({ type: 'disconnect', reason }));
  }

  async close(): Promise<void> {
    clearInterval(this.pinger);
    for (const ws of this.sockets) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private onMessage(text: string): void {
    let ack: SocketAck;
    try {
      ack = JSON.parse(text) as SocketAck;
    } catch {
      return;
    }
    this.acks.push(ack);
    const done = this.pending.get(ack.envelope_id);
    if (done) {
      this.pending.delete(ack.envelope_id);
      done(ack);
    }
  }
}
