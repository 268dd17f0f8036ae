// A bot replica as production composes it (createRuntime + startBotRole), in this process, against
// the Slack and Discord stand-ins and a real Redis: what the chaos tests attack. Logs are kept so
// they can be scanned for secrets.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { freePort } from '../../../adapters/local/free-port.ts';
import { startBotRole } from '../../../src/main/bot.role.ts';
import { readEnv } from '../../../src/main/env.ts';
import { createRuntime, type Runtime } from '../../../src/main/runtime.ts';
import { lineSink } from '../../helpers/secret-scan.ts';

export const SLACK_BOT_TOKEN = 'xoxb-chaos-0000-bot-token-7f3a9c';
export const SLACK_SIGNING_SECRET = 'chaos-signing-secret-2d8e41b7';

export interface BotStackOptions {
  redisUrl: string;
  prefix: string;
  /** The fleet file's text. */
  fleetYaml: string;
  slack?: { apiUrl: string };
  discord?: { apiUrl: string; token: string; applicationId: string; publicKeyHex: string };
  /** Extra process environment (e.g. RPC passwords the fleet file names). */
  env?: Record<string, string>;
}

export interface BotStack {
  rt: Runtime;
  /** http://127.0.0.1:PORT/slack/events */
  slackEventsUrl?: string;
  /** http://127.0.0.1:PORT/discord/interactions */
  discordUrl?: string;
  /** Every log line the runtime and adapters wrote (JSON). */
  logs: string[];
  close(): Promise<void>;
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen({ port, host: '127.0.0.1', exclusive: true }, () => s.close(() => resolve(true)));
  });
}

/** A port P with P+1 free too (the bot puts Discord's interactions endpoint on PORT+1 next to Slack). */
async function freePortPair(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const p = await freePort();
    if (p < 65535 && (await portIsFree(p + 1))) return p;
  }
  throw new Error('no two adjacent free ports');
}

export async function startBotStack(opts: BotStackOptions): Promise<BotStack> {
  const dir = await mkdtemp(join(tmpdir(), 'chainops-chaos-'));
  const fleetPath = join(dir, 'chainops.yaml');
  await writeFile(fleetPath, opts.fleetYaml);
  const sink = lineSink();
  const logger = pino({ level: 'debug', redact: { paths: ['token', 'password', 'secret', '*.token', '*.password', '*.secret', '*.authorization', 'headers.authorization', 'rpcPassword'], censor: '[redacted]' } }, sink.stream);
  const port = await freePortPair();
  const env = readEnv({
    REDIS_URL: opts.redisUrl,
    CHAINOPS_PREFIX: opts.prefix,
    CHAINOPS_CONFIG: fleetPath,
    PORT: String(port),
    ...(opts.slack ? { SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_API_URL: opts.slack.apiUrl } : {}),
    ...(opts.discord
      ? { DISCORD_TOKEN: opts.discord.token, DISCORD_APPLICATION_ID: opts.discord.applicationId, DISCORD_API_URL: opts.discord.apiUrl, DISCORD_MODE: 'http', DISCORD_PUBLIC_KEY: opts.discord.publicKeyHex }
      : {}),
  });
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  let rt: Runtime | undefined;
  try {
    rt = await createRuntime({ redisUrl: opts.redisUrl, prefix: opts.prefix, fleetPath, logger });
    const bot = await startBotRole(rt, env, { metricsPort: 0 });
    const runtime = rt;
    return {
      rt: runtime,
      ...(opts.slack ? { slackEventsUrl: `http://127.0.0.1:${port}/slack/events` } : {}),
      ...(opts.discord ? { discordUrl: `http://127.0.0.1:${opts.slack ? port + 1 : port}/discord/interactions` } : {}),
      logs: sink.lines,
      async close() {
        await bot.close();
        await runtime.close();
        for (const [k, v] of Object.entries(saved)) {
          if (v === undefined) delete process.env[k];
          else process.env[k] = v;
        }
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await rt?.close();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
