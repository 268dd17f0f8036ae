/**
 * The gateway half of the Discord stand-in: Discord's documented protocol over JSON text frames, no
 * compression (https://discord.com/developers/docs/events/gateway): HELLO (op 10) on connect, READY
 * after IDENTIFY (op 2), heartbeat (op 1) → ack (op 11), RESUME (op 6) → RESUMED, an increasing `s`.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { botUser, guildCreate, type StandInIds } from './discord-payloads.stand-in.ts';

const HEARTBEAT_INTERVAL_MS = 41_250;

interface Session {
  socket: WebSocket;
  id: string;
  seq: number;
  identified: boolean;
  intents?: number;
}

export interface GatewayStandIn {
  /** Identify payloads received (token included, so tests can check the bot token was used). */
  identifies: Array<{ token: string; intents: number }>;
  /** RESUME requests answered with RESUMED. */
  stats: { resumes: number };
  /** Send a dispatch (op 0) to every identified session; returns how many got it. */
  dispatch(t: string, d: unknown): number;
  /** Resolves once a session has identified and got READY. */
  waitForReady(timeoutMs: number): Promise<void>;
  /** Close every socket with `code` (e.g. 4000 to make the client resume). */
  dropAll(code?: number): void;
  close(): Promise<void>;
}

export function attachGateway(server: Server, ids: StandInIds, wsUrl: () => string, validToken: string): GatewayStandIn {
  const wss = new WebSocketServer({ server });
  const sessions = new Set<Session>();
  const resumable = new Map<string, Session>();
  const identifies: GatewayStandIn['identifies'] = [];
  const readyWaiters: Array<() => void> = [];
  const stats = { resumes: 0 };

  const send = (s: Session, payload: object) => s.socket.send(JSON.stringify(payload));
  const dispatchTo = (s: Session, t: string, d: unknown) => send(s, { op: 0, t, s: ++s.seq, d });

  wss.on('connection', (socket) => {
    const session: Session = { socket, id: randomUUID().replace(/-/g, ''), seq: 0, identified: false };
    sessions.add(session);
    socket.on('close', () => sessions.delete(session));
    send(session, { op: 10, d: { heartbeat_interval: HEARTBEAT_INTERVAL_MS }, s: null, t: null });
    socket.on('message', (raw, isBinary) => {
      if (isBinary) return void socket.close(4002, 'Decode error');
      let msg: { op: number; d: any };
      try {
        msg = JSON.parse(String(raw));
      } catch {
        return void socket.close(4002, 'Decode error');
      }
      switch (msg.op) {
        case 1:
          return void send(session, { op: 11, d: null, s: null, t: null });
        case 2: {
          if (session.identified) return void socket.close(4005, 'Already authenticated');
          const token = String(msg.d?.token ?? '').replace(/^Bot /, '');
          identifies.push({ token, intents: Number(msg.d?.intents ?? 0) });
          if (token !== validToken) return void socket.close(4004, 'Authentication failed');
          session.identified = true;
          session.intents = Number(msg.d?.intents ?? 0);
          resumable.set(session.id, session);
          dispatchTo(session, 'READY', {
            v: 10, user: botUser(ids), guilds: [{ id: ids.guildId, unavailable: true }], session_id: session.id,
            resume_gateway_url: wsUrl(), shard: msg.d?.shard ?? [0, 1], application: { id: ids.applicationId, flags: 0 },
            private_channels: [], relationships: [], presences: [], user_settings: {}, guild_join_requests: [], geo_ordered_rtc_regions: [],
          });
          dispatchTo(session, 'GUILD_CREATE', guildCreate(ids));
          readyWaiters.splice(0).forEach((w) => w());
          return;
        }
        case 6: {
          const old = resumable.get(String(msg.d?.session_id));
          if (!old) return void send(session, { op: 9, d: false, s: null, t: null });
          session.id = old.id;
          session.seq = Math.max(old.seq, Number(msg.d?.seq ?? 0));
          session.identified = true;
          resumable.set(session.id, session);
          stats.resumes++;
          return void dispatchTo(session, 'RESUMED', {});
        }
        default:
          return;
      }
    });
  });

  return {
    identifies,
    stats,
    dispatch(t, d) {
      let n = 0;
      for (const s of sessions) {
        if (!s.identified || s.socket.readyState !== s.socket.OPEN) continue;
        dispatchTo(s, t, d);
        n++;
      }
      return n;
    },
    waitForReady(timeoutMs) {
      if ([...sessions].some((s) => s.identified)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no gateway session identified within ${timeoutMs}ms`)), timeoutMs);
        readyWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
    dropAll(code = 4000) {
      for (const s of sessions) s.socket.close(code, 'stand-in drop');
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sessions) s.socket.terminate();
        wss.close(() => resolve());
      }),
  };
}
