/**
 * The container's HEALTHCHECK: `node dist/src/main/healthcheck.js [role]`. A bot (and `all`) serves
 * /healthz on PORT, a worker on METRICS_PORT — one image runs every role, so the probe finds the role
 * from the container's command line (PID 1 is `tini -- node …/cli.js <role>`) unless it is given.
 * Exit 0 when /healthz answers 2xx within the timeout, 1 otherwise (Docker's contract).
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { readEnv } from './env.ts';
import { botMetricsPortFrom, metricsPortFrom } from './metrics-http.ts';

export type ServeRole = 'bot' | 'worker' | 'all';
const ROLES: readonly ServeRole[] = ['bot', 'worker', 'all'];

/** The serving role in a NUL-separated command line (`/proc/1/cmdline`), or undefined. */
export function roleFromCmdline(cmdline: string): ServeRole | undefined {
  const args = cmdline.split('\0').filter(Boolean);
  const cli = args.findIndex((a) => /(^|\/)cli\.(js|ts)$/.test(a) || a === 'chainops' || a.endsWith('/chainops'));
  const role = cli >= 0 ? args[cli + 1] : undefined;
  return ROLES.find((r) => r === role);
}

/**
 * Where `role` answers /healthz, from the same environment the process reads (see bot.role.ts): a
 * worker on METRICS_PORT; a bot on its public PORT, except when Discord's HTTP interactions receiver
 * owns PORT alone, which serves nothing else — then on its own BOT_METRICS_PORT.
 */
export function healthUrl(role: ServeRole, env: NodeJS.ProcessEnv = process.env): string {
  const e = readEnv(env);
  const slack = Boolean(e.SLACK_BOT_TOKEN || e.SLACK_SIGNING_SECRET);
  const discordOwnsPort = Boolean(e.DISCORD_TOKEN || e.DISCORD_APPLICATION_ID) && e.DISCORD_MODE === 'http' && !slack;
  const port = role === 'worker' ? metricsPortFrom(env) : discordOwnsPort ? botMetricsPortFrom(env) : e.PORT;
  return `http://127.0.0.1:${port}/healthz`;
}

/** Probe `url`: true on a 2xx answer within `timeoutMs`. */
export async function probe(url: string, timeoutMs = 2_500): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}

async function main(argv: string[]): Promise<number> {
  const given = ROLES.find((r) => r === argv[0]);
  let role = given;
  if (!role) {
    try {
      role = roleFromCmdline(readFileSync('/proc/1/cmdline', 'utf8'));
    } catch {
      role = undefined;
    }
  }
  if (!role) {
    console.error('healthcheck: cannot tell the role (bot, worker or all); pass it: healthcheck.js worker');
    return 1;
  }
  const url = healthUrl(role);
  const ok = await probe(url);
  if (!ok) console.error(`healthcheck: ${role} did not answer ${url}`);
  return ok ? 0 : 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).then((code) => process.exit(code), () => process.exit(1));
}
