import { Writable } from 'node:stream';
import pino from 'pino';
import { MemoryStateStore } from '../../adapters/memory/memory-state.store.ts';
import { startSlack, type SlackAdapter, type SlackAdapterOptions } from '../../adapters/slack/slack.adapter.ts';
import type { ChatEvent } from '../../src/chat/chat-event.ts';
import type { Dispatch, Responder } from '../../src/chat/dispatch.ts';
import type { StateStore } from '../../src/ports/state.port.ts';
import { startSlackStandIn, type SlackStandIn } from './slack-api.stand-in.ts';

export const BOT_TOKEN = 'xoxb-0000-test-bot-token';
export const APP_TOKEN = 'xapp-1-A0STANDIN-test-app-token';
export const SIGNING_SECRET = 'test-signing-secret-8f2b3c';

export interface SlackHarness {
  standIn: SlackStandIn;
  slack: SlackAdapter;
  state: StateStore;
  /** Every event dispatch received, in order, with the responder it was given. */
  dispatched: Array<{ event: ChatEvent; respond: Responder }>;
  /** POST target for signed requests (HTTP mode). */
  eventsUrl: string;
  /** Every log line (JSON) the adapter wrote. */
  logs: string[];
  waitForDispatches(n: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  socketMode?: boolean;
  /** What the core does with an event, after it is recorded. @defaultValue nothing */
  onEvent?: Dispatch;
  homeView?: SlackAdapterOptions['homeView'];
  extraRoutes?: SlackAdapterOptions['extraRoutes'];
}

/**
 * A stand-in Slack plus the real adapter (real Bolt) pointed at it, with a recording dispatch and
 * the in-memory StateStore. Tests and e2e helpers drive it with signed requests or socket envelopes.
 */
export async function startSlackHarness(opts: HarnessOptions = {}): Promise<SlackHarness> {
  const standIn = await startSlackStandIn({ botToken: BOT_TOKEN, appToken: APP_TOKEN });
  const logs: string[] = [];
  const sink = new Writable({ write(chunk, _enc, done) { logs.push(String(chunk)); done(); } });
  const logger = pino({ level: 'debug' }, sink);
  const state = new MemoryStateStore();
  const dispatched: SlackHarness['dispatched'] = [];
  const dispatch: Dispatch = async (event, respond) => {
    dispatched.push({ event, respond });
    await opts.onEvent?.(event, respond);
  };
  let slack: SlackAdapter;
  let timer: NodeJS.Timeout | undefined;
  try {
    // Socket Mode reconnects forever when it cannot connect; a test should fail instead.
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('the Slack adapter did not start within 10s')), 10_000);
    });
    slack = await Promise.race([timeout, startSlack({
      botToken: BOT_TOKEN,
      signingSecret: SIGNING_SECRET,
      ...(opts.socketMode ? { appToken: APP_TOKEN } : {}),
      apiUrl: standIn.url,
      port: 0,
      dispatch,
      state,
      logger,
      retries: 0,
      ...(opts.homeView ? { homeView: opts.homeView } : {}),
      ...(opts.extraRoutes ? { extraRoutes: opts.extraRoutes } : {}),
    })]);
  } catch (err) {
    await standIn.stop();
    throw err;
  } finally {
    clearTimeout(timer);
  }
  return {
    standIn,
    slack,
    state,
    dispatched,
    eventsUrl: `${slack.url}/slack/events`,
    logs,
    async waitForDispatches(n, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      while (dispatched.length < n) {
        if (Date.now() > deadline) throw new Error(`expected ${n} dispatches, saw ${dispatched.length}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    async stop() {
      await slack.stop();
      await standIn.stop();
    },
  };
}
