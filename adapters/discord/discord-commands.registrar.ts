/** Registers `/chainops` at start-up with a bulk overwrite (PUT), which is idempotent: same body, same result. */
import { Routes, type REST } from 'discord.js';
import type { Logger } from 'pino';
import { buildChainopsCommand } from './discord-command.builder.ts';

/**
 * Guild commands (with `guildId`) update at once, handy for one team's server; global commands reach
 * every server the bot is in. @returns the registered command body.
 */
export async function registerCommands(rest: REST, applicationId: string, guildId: string | undefined, logger: Logger) {
  const command = buildChainopsCommand();
  const route = guildId ? Routes.applicationGuildCommands(applicationId, guildId) : Routes.applicationCommands(applicationId);
  await rest.put(route, { body: [command] });
  logger.info({ scope: guildId ? `guild ${guildId}` : 'global', subcommands: command.options.length }, 'discord: /chainops registered');
  return command;
}
