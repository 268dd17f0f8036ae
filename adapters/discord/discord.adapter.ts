/**
 * The Discord adapter: registers `/chainops` (generated from the grammar), receives interactions over
 * the gateway or an HTTP endpoint, and gives the core a ChatPort for posts, edits and threads.
 */
import type { Logger } from 'pino';
import type { Dispatch } from '../../src/chat/dispatch.ts';
import type { ChatPort } from '../../src/ports/chat.port.ts';
import type { StateStore } from '../../src/ports/state.port.ts';
import type { AutocompleteKind } from './discord-command.builder.ts';
import { DiscordChat } from './discord-chat.port.ts';
import { registerCommands } from './discord-commands.registrar.ts';
import { makeClient, startGateway } from './discord-gateway.receiver.ts';
import { startHttpReceiver, type HttpReceiverOptions } from './discord-http.receiver.ts';
import type { InteractionDeps } from './discord-interaction.handler.ts';
import { makeRest } from './discord-rest.ts';
import { WebhookTokens } from './discord-webhook-tokens.ts';

export interface DiscordAdapterOptions {
  /** Bot token (never logged). */
  token: string;
  applicationId: string;
  /** Register `/chainops` in this guild only (instant updates); global when omitted. */
  guildId?: string;
  /** REST base (`DISCORD_API_URL`), with or without `/api`. @defaultValue https://discord.com */
  apiUrl?: string;
  /** `gateway` (a bot session) or `http` (Discord POSTs interactions to us). */
  mode: 'gateway' | 'http';
  /** HTTP mode: the application's Ed25519 public key, 64 hex chars. */
  publicKey?: string;
  /** HTTP mode: port of the interactions endpoint; 0 picks a free one. @defaultValue 3000 */
  port?: number;
  /** HTTP mode: further routes on that port (POST /gitops/webhook when Discord owns the bot's public port). */
  extraRoutes?: HttpReceiverOptions['extraRoutes'];
  /** Gateway mode: accept `!chainops …` typed as a message (privileged Message Content intent). @defaultValue false */
  messageCommands?: boolean;
  dispatch: Dispatch;
  state: StateStore;
  logger: Logger;
  /** Values for autocomplete, from the fleet (by the core). */
  autocomplete: (kind: AutocompleteKind, prefix: string, actor: import('../../src/chat/chat-event.ts').Actor) => Promise<string[]>;
}

export interface DiscordAdapter {
  chat: ChatPort;
  stop(): Promise<void>;
  /** HTTP mode: the port the interactions endpoint listens on. */
  port?: number;
}

export async function startDiscord(opts: DiscordAdapterOptions): Promise<DiscordAdapter> {
  const logger = opts.logger.child({ adapter: 'discord' });
  if (opts.mode === 'http' && !opts.publicKey) throw new Error('Discord HTTP mode needs DISCORD_PUBLIC_KEY (the public key on the application page)');
  const client = opts.mode === 'gateway' ? makeClient(opts) : undefined;
  const rest = client ? client.rest.setToken(opts.token) : makeRest(opts.apiUrl, opts.token);
  rest.on('rateLimited', (info) => logger.warn({ route: info.route, retryAfterMs: info.retryAfter, global: info.global }, 'discord: rate limited'));
  const tokens = new WebhookTokens();
  const deps: InteractionDeps = {
    rest,
    applicationId: opts.applicationId,
    state: opts.state,
    dispatch: opts.dispatch,
    autocomplete: opts.autocomplete,
    tokens,
    logger,
  };
  const chat = new DiscordChat({ rest, state: opts.state, applicationId: opts.applicationId, tokens, logger });
  await registerCommands(rest, opts.applicationId, opts.guildId, logger);

  if (client) {
    const gateway = await startGateway(client, opts, deps);
    return { chat, stop: gateway.stop };
  }
  const http = await startHttpReceiver({ publicKey: opts.publicKey!, port: opts.port ?? 3000, ...(opts.extraRoutes ? { extraRoutes: opts.extraRoutes } : {}) }, deps);
  return { chat, port: http.port, stop: http.stop };
}
