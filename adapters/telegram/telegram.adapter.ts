import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Bot, webhookCallback } from 'grammy';
import type { Redis } from 'ioredis';
import type { Dispatch } from '../../src/chat/dispatch.ts';
import { ChainopsError, errorMessage } from '../../src/errors.ts';
import type { Logger } from '../../src/pipeline/deps.ts';
import type { StateStore } from '../../src/ports/state.port.ts';
import { CallbackStore } from './callback-store.ts';
import { TelegramChatPort } from './telegram-chat.port.ts';
import { handleUpdate } from './telegram-updates.ts';

export const TELEGRAM_WEBHOOK_PATH = '/telegram/webhook';

export interface TelegramAdapterOptions {
  /** `TELEGRAM_BOT_TOKEN` from @BotFather. Never logged. */
  token: string;
  /** `TELEGRAM_API_URL`: Bot API root without a trailing slash. @defaultValue https://api.telegram.org */
  apiUrl?: string;
  /** `polling` (getUpdates; one bot replica only) or `webhook` (Telegram POSTs updates; any number of replicas). */
  mode: 'polling' | 'webhook';
  /** `TELEGRAM_WEBHOOK_SECRET`: Telegram sends it in X-Telegram-Bot-Api-Secret-Token; required for webhook mode. */
  webhookSecret?: string;
  /** `TELEGRAM_WEBHOOK_URL`: public https URL to register with setWebhook; unset = registered by hand. */
  webhookUrl?: string;
  /** Webhook mode: port of POST /telegram/webhook (0 picks a free one). */
  port: number;
  dispatch: Dispatch;
  state: StateStore;
  /** Redis for button keys (`<prefix>:telegram:cb:*`). */
  redis: Redis;
  prefix: string;
  logger: Logger;
}

export interface TelegramAdapter {
  chat: TelegramChatPort;
  /** Webhook mode: where updates are accepted. */
  url?: string;
  stop(): Promise<void>;
}

const ALLOWED_UPDATES = ['message', 'callback_query'] as const;

/** The command menu Telegram shows; every other verb works as `/<verb>` too. */
const MENU = [
  { command: 'chainops', description: 'Run a ChainOps command, e.g. /chainops status --env prod' },
  { command: 'status', description: 'Fleet status per group' },
  { command: 'nodes', description: 'Every node: version, head, lag' },
  { command: 'alerts', description: 'Firing and acknowledged alerts' },
  { command: 'ack', description: 'Acknowledge an alert: /ack al-…' },
  { command: 'jobs', description: 'Recent jobs' },
  { command: 'help', description: 'What you may run' },
];

/**
 * Start the Telegram side of the bot with grammY: the token is checked with getMe, then updates
 * arrive by long polling or by webhook (secret token checked before anything is read); each becomes a
 * ChatEvent for the core. Answers and worker progress go out through the ChatPort.
 */
export async function startTelegram(opts: TelegramAdapterOptions): Promise<TelegramAdapter> {
  if (opts.mode === 'webhook' && !opts.webhookSecret) throw new ChainopsError('config_missing', 'Telegram webhook mode needs TELEGRAM_WEBHOOK_SECRET (1–256 of A-Z a-z 0-9 _ -), sent by Telegram with every update');
  const bot = new Bot(opts.token, { client: { ...(opts.apiUrl ? { apiRoot: opts.apiUrl.replace(/\/+$/, '') } : {}), timeoutSeconds: 60 } });
  try {
    await bot.init();
  } catch (err) {
    throw new ChainopsError('config_invalid', `Telegram refused TELEGRAM_BOT_TOKEN (getMe failed: ${(err as { description?: string }).description ?? errorMessage(err)}) — copy the token from @BotFather again`);
  }
  await bot.api.setMyCommands(MENU).catch((err: unknown) => opts.logger.warn({ err: errorMessage(err) }, 'could not set the Telegram command menu; commands still work'));
  const callbacks = new CallbackStore(opts.redis, opts.prefix);
  const chat = new TelegramChatPort(bot.api, callbacks, opts.logger);
  const inFlight = new Set<Promise<void>>();
  const deps = { api: bot.api, chat, callbacks, dispatch: opts.dispatch, state: opts.state, logger: opts.logger, botUsername: () => bot.botInfo.username };
  bot.use(async (ctx) => {
    const work = (await handleUpdate(deps, ctx.update))?.work;
    if (work) {
      inFlight.add(work);
      void work.finally(() => inFlight.delete(work));
    }
  });
  bot.catch((err) => opts.logger.error({ err: errorMessage(err.error) }, 'a Telegram update failed'));

  let server: Server | undefined;
  let url: string | undefined;
  if (opts.mode === 'webhook') {
    const callback = webhookCallback(bot, 'http', { secretToken: opts.webhookSecret!, onTimeout: 'return' });
    server = createServer((req, res) => {
      if (new URL(req.url ?? '/', 'http://x').pathname !== TELEGRAM_WEBHOOK_PATH || req.method !== 'POST') return void res.writeHead(404).end();
      const secretOk = req.headers['x-telegram-bot-api-secret-token'] === opts.webhookSecret;
      if (!secretOk) opts.logger.warn({ path: TELEGRAM_WEBHOOK_PATH }, 'Telegram webhook refused: wrong X-Telegram-Bot-Api-Secret-Token (check TELEGRAM_WEBHOOK_SECRET against setWebhook\'s secret_token)');
      callback(req, res).catch((err: unknown) => {
        opts.logger.error({ err: errorMessage(err) }, 'Telegram webhook request failed');
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
    await new Promise<void>((resolve) => server!.listen(opts.port, resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${TELEGRAM_WEBHOOK_PATH}`;
    if (opts.webhookUrl) await bot.api.setWebhook(opts.webhookUrl, { secret_token: opts.webhookSecret!, allowed_updates: [...ALLOWED_UPDATES] });
  } else {
    // bot.start() resolves only when polling stops; it deletes any webhook first (Telegram allows one or the other).
    void bot.start({ allowed_updates: [...ALLOWED_UPDATES] }).catch((err: unknown) =>
      opts.logger.error({ err: errorMessage(err) }, 'Telegram long polling stopped — is another process polling with the same token? (use webhook mode for several bot replicas)'));
  }
  opts.logger.info({ mode: opts.mode, bot: bot.botInfo.username, ...(url ? { url } : {}) }, 'Telegram adapter started');
  return {
    chat,
    ...(url ? { url } : {}),
    async stop() {
      if (bot.isRunning()) await bot.stop().catch(() => undefined);
      await Promise.race([Promise.allSettled([...inFlight]), new Promise((r) => setTimeout(r, 5_000).unref())]);
      if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
    },
  };
}
