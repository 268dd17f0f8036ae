/**
 * Gateway mode: the real discord.js Client holds the gateway session (its URL from GET /gateway/bot,
 * heartbeats, resume). We read interactions from the raw dispatch (validated by our own zod slice)
 * so gateway and HTTP mode share one handler.
 */
import { Client, Events, GatewayDispatchEvents, GatewayIntentBits, Routes } from 'discord.js';
import { handleInteraction, type Ack, type InteractionDeps } from './discord-interaction.handler.ts';
import { handleMessageCreate } from './discord-message-command.ts';
import { apiRoot, REST_OPTIONS } from './discord-rest.ts';

/** Waiting longer than this for READY means the token or network is wrong; say so instead of hanging. */
const READY_TIMEOUT_MS = 30_000;

export interface GatewayOptions {
  token: string;
  apiUrl?: string;
  /** Read `!chainops …` messages (needs the privileged Message Content intent). @defaultValue false */
  messageCommands?: boolean;
}

/** A discord.js Client pointed at `apiUrl`, with the fewest intents that do the job. */
export function makeClient(opts: Pick<GatewayOptions, 'apiUrl' | 'messageCommands'>): Client {
  // Interactions arrive without any intent; Guilds keeps the channel cache that tells threads apart.
  const intents = [GatewayIntentBits.Guilds];
  if (opts.messageCommands) intents.push(GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent);
  return new Client({ intents, rest: { api: apiRoot(opts.apiUrl), ...REST_OPTIONS } });
}

export async function startGateway(client: Client, opts: GatewayOptions, deps: InteractionDeps): Promise<{ stop(): Promise<void> }> {
  const ack: Ack = async (i, body) => {
    await client.rest.post(Routes.interactionCallback(i.id, i.token), {
      body,
      auth: false,
      query: new URLSearchParams({ with_response: 'false' }),
    });
  };
  client.ws.on(GatewayDispatchEvents.InteractionCreate, (data: unknown) => {
    handleInteraction(data, ack, deps).catch((err: unknown) => deps.logger.error({ err: String(err) }, 'discord: interaction failed'));
  });
  if (opts.messageCommands) {
    const parentOf = (channelId: string) => {
      const channel = client.channels.cache.get(channelId);
      return channel?.isThread() ? (channel.parentId ?? undefined) : undefined;
    };
    client.ws.on(GatewayDispatchEvents.MessageCreate, (data: unknown) => {
      void handleMessageCreate(data, deps, parentOf);
    });
  }
  client.on(Events.Error, (err) => deps.logger.error({ err: String(err) }, 'discord: client error'));

  // The listener goes on before login(): READY can arrive before login() resolves.
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Discord gateway not ready after ${READY_TIMEOUT_MS / 1000}s — check DISCORD_TOKEN and the network`)), READY_TIMEOUT_MS);
    client.once(Events.ClientReady, (c) => {
      clearTimeout(timer);
      deps.logger.info({ user: c.user.id, guilds: c.guilds.cache.size }, 'discord: gateway ready');
      resolve();
    });
  });
  try {
    await client.login(opts.token);
    await ready;
  } catch (err) {
    await client.destroy();
    throw err;
  }
  return { stop: () => client.destroy() };
}
