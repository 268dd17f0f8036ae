import type { Actor } from '../../src/chat/chat-event.ts';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { App, HTTPReceiver, SocketModeReceiver } from '@slack/bolt';
import type pino from 'pino';
import type { Dispatch } from '../../src/chat/dispatch.ts';
import type { Message } from '../../src/chat/message.ts';
import { ChainopsError } from '../../src/errors.ts';
import type { ChatPort } from '../../src/ports/chat.port.ts';
import type { StateStore } from '../../src/ports/state.port.ts';
import { describeSlackError, slackErrorCode } from './slack-api-errors.ts';
import { SlackChatPort } from './slack-chat.port.ts';
import { EVENTS_PATH, startSlackHttpServer } from './slack-http.server.ts';
import { registerListeners } from './slack-listeners.ts';
import { slackLogger } from './slack-logger.ts';

export interface SlackAdapterOptions {
  /** `SLACK_BOT_TOKEN` (xoxb-…). Never logged. */
  botToken: string;
  /** `SLACK_SIGNING_SECRET`: verifies HTTP requests. Never logged. */
  signingSecret: string;
  /** `SLACK_APP_TOKEN` (xapp-…): when set, Socket Mode instead of HTTP events. */
  appToken?: string;
  /** `SLACK_API_URL`: Web API base. @defaultValue https://slack.com/api/ */
  apiUrl?: string;
  /** HTTP port: /slack/events (HTTP mode) and `extraRoutes` (both modes). 0 picks a free port. */
  port: number;
  dispatch: Dispatch;
  state: StateStore;
  logger: pino.Logger;
  /** /healthz, POST /gitops/webhook … on the same port. */
  extraRoutes?: Array<{ path: string; method: 'GET' | 'POST'; handler: (req: IncomingMessage, res: ServerResponse) => void }>;
  /** Web API client retries on network/5xx errors (not on 429, handled per channel). @defaultValue 3; tests pass 0 */
  retries?: number;
  /** App Home overview built by the core. @defaultValue a short "type /chainops help" page */
  homeView?: (actor: Actor) => Promise<Message>;
}

export interface SlackAdapter {
  chat: ChatPort;
  stop(): Promise<void>;
  /** Base URL of the HTTP server (events at `${url}/slack/events` in HTTP mode). */
  url?: string;
}

/**
 * Start the Slack side of the bot: Bolt (HTTP or Socket Mode), the listeners that turn Slack
 * payloads into ChatEvents, and the ChatPort the core posts through. Resolves once the bot token
 * is verified (auth.test) and, in Socket Mode, the WebSocket is connected.
 */
export async function startSlack(opts: SlackAdapterOptions): Promise<SlackAdapter> {
  const logger = slackLogger(opts.logger);
  const retries = opts.retries ?? 3;
  const clientOptions = {
    slackApiUrl: withSlash(opts.apiUrl ?? 'https://slack.com/api/'),
    retryConfig: { retries, factor: 2, minTimeout: 500, maxTimeout: 10_000 },
    // The SDK's default pauses EVERY call while one is rate-limited; we wait per channel instead.
    rejectRateLimitedCalls: true,
    timeout: 15_000,
  };
  const socketMode = Boolean(opts.appToken);
  const receiver = opts.appToken
    ? // The socket client reads its API URL from installerOptions.clientOptions, not clientOptions.
      new SocketModeReceiver({ appToken: opts.appToken, logger, installerOptions: { clientOptions } })
    : new HTTPReceiver({ signingSecret: opts.signingSecret, endpoints: EVENTS_PATH, logger, processBeforeResponse: false });
  // convoStore off: ChainOps keeps its state in Redis; Bolt's in-memory conversation store only cost CPU and
  // memory per event (and is per-replica anyway).
  const app = new App({ token: opts.botToken, receiver, logger, clientOptions, deferInitialization: true, convoStore: false });

  try {
    await app.init(); // auth.test: a wrong token fails here, not on the first command
  } catch (err) {
    throw new ChainopsError('config_invalid', `Slack refused SLACK_BOT_TOKEN: ${describeSlackError('auth.test', err)}`, { cause: err });
  }

  const chat = new SlackChatPort({ client: app.client, logger: opts.logger });
  let botUserId: string | undefined;
  app.use(async ({ context, next }) => {
    botUserId ??= context.botUserId;
    await next();
  });
  registerListeners({ app, dispatch: opts.dispatch, state: opts.state, chat, logger: opts.logger, botUserId: () => botUserId, ...(opts.homeView ? { homeView: opts.homeView } : {}) });

  const http = await startSlackHttpServer({
    port: opts.port,
    logger: opts.logger,
    ...(opts.extraRoutes ? { extraRoutes: opts.extraRoutes } : {}),
    ...(socketMode ? {} : { events: { listener: (receiver as HTTPReceiver).requestListener, signingSecret: opts.signingSecret, state: opts.state } }),
  });

  if (socketMode) {
    try {
      await app.start();
    } catch (err) {
      await http.close();
      throw new ChainopsError('config_invalid', `Slack Socket Mode did not connect (${slackErrorCode(err)}): check SLACK_APP_TOKEN (xapp-… with connections:write)`, { cause: err });
    }
  }
  opts.logger.info({ mode: socketMode ? 'socket' : 'http', url: http.url }, 'Slack adapter started');

  return {
    chat,
    url: http.url,
    stop: async () => {
      chat.close();
      // Bolt's stop() does not wait for the close handshake, which leaves the socket client's ping
      // timers running; waiting for the client's own disconnect lets the process exit promptly.
      if (socketMode) await withTimeout((receiver as SocketModeReceiver).client.disconnect(), 5_000);
      await http.close();
    },
  };
}

async function withTimeout(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p.catch(() => undefined), new Promise((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
