import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { Command } from 'commander';
import { formatProblems, parseFleet } from '../fleet/fleet.load.ts';
import { fleetJsonSchema } from '../fleet/fleet.json-schema.ts';
import { readEnv, type Env } from './env.ts';
import { createLogger } from './logger.ts';
import { redisForRole } from './redis-for-role.ts';

// Roles are imported when chosen: `config check` must not load chat SDKs, and a broken optional
// adapter must not stop the console from starting.
const roles = {
  runtime: () => import('./runtime.ts'),
  console: () => import('./console.role.ts'),
  worker: () => import('./worker.role.ts'),
  bot: () => import('./bot.role.ts'),
  demo: () => import('./demo.ts'),
  host: () => import('../../jobs/worker-host.ts'),
};


/** Who the console acts as: CHAINOPS_CONSOLE_USER, else the OS user (never self-declared: `--as` needs the fleet file's consent). */
function consoleUser(env: Env): string {
  const fromOs = (() => {
    try {
      return userInfo().username.toLowerCase();
    } catch {
      return 'operator';
    }
  })();
  return env.CHAINOPS_CONSOLE_USER ?? (/^[a-z][a-z0-9_-]{0,31}$/.test(fromOs) ? fromOs : 'operator');
}

async function serve(which: { bot: boolean; worker: boolean }): Promise<void> {
  const env = readEnv();
  const logger = createLogger(env.LOG_LEVEL);
  // `all` is the single-process mode: without REDIS_URL it runs its own Redis.
  const redis = await redisForRole(which.bot && which.worker ? 'single' : 'scale-out', env);
  if (redis.embedded) logger.info({ dataDir: redis.dir, redis: redis.url }, 'no REDIS_URL: running its own redis-server with AOF in the data dir');
  const rt = await (await roles.runtime()).createRuntime({ redisUrl: redis.url, prefix: env.CHAINOPS_PREFIX, fleetPath: env.CHAINOPS_CONFIG, logger });
  const parts: Array<{ close(): Promise<void> }> = [];
  if (which.worker) {
    const worker = await roles.worker();
    parts.push(await worker.startWorkerRole(rt, worker.workerOptions(env)));
  }
  // `all`: the worker has METRICS_PORT; the bot keeps BOT_METRICS_PORT (default 9465), so both are scraped.
  if (which.bot) parts.push(await (await roles.bot()).startBotRole(rt, env));
  (await roles.host()).onShutdown(['SIGTERM', 'SIGINT'], async () => {
    for (const p of parts.reverse()) await p.close();
    await rt.close();
    await redis.stop();
  }, logger);
}

/** The worker inside a console process; its /metrics takes a free port unless METRICS_PORT says otherwise. */
async function startLocalWorker(rt: import('./runtime.ts').Runtime, env: Env): Promise<{ close(): Promise<void> }> {
  process.env['METRICS_PORT'] ??= '0';
  const worker = await roles.worker();
  return worker.startWorkerRole(rt, worker.workerOptions(env));
}

const program = new Command()
  .name('chainops')
  .description('Chat-ops for fleets of blockchain nodes: Slack, Discord or a terminal')
  .showHelpAfterError();

program.command('bot').description('run the chat adapters and command handling').action(() => serve({ bot: true, worker: false }));
program.command('worker').description('run the job processors (health sweeps, drift, upgrades, provisioning)').action(() => serve({ bot: false, worker: true }));
program.command('all').description('bot and worker in one process').action(() => serve({ bot: true, worker: true }));

program
  .command('console')
  .description('interactive terminal chat (no chat account needed)')
  .option('--exec <command>', 'run one command, print the reply and exit (exit 1 on an error reply)')
  .option('--as <user>', 'act as this console user; only when the fleet file sets console.allow_impersonation (demos)')
  .action(async (opts: { exec?: string; as?: string }) => {
    const env = readEnv();
    const logger = createLogger(env.LOG_LEVEL === 'info' ? 'warn' : env.LOG_LEVEL);
    // Without REDIS_URL the console runs on its own: its own Redis (AOF in the data dir) and the worker in this process.
    const redis = await redisForRole('single', env);
    const rt = await (await roles.runtime()).createRuntime({ redisUrl: redis.url, prefix: env.CHAINOPS_PREFIX, fleetPath: env.CHAINOPS_CONFIG, logger });
    const worker = redis.embedded ? await startLocalWorker(rt, env) : undefined;
    if (redis.embedded && opts.exec === undefined) console.error(`ChainOps on its own: redis-server with its data in ${redis.dir}, the worker in this process (set REDIS_URL to use your Redis and workers).`);
    const code = await (await roles.console()).runConsoleRole(rt, { user: consoleUser(env), ...(opts.as !== undefined ? { as: opts.as } : {}), ...(opts.exec !== undefined ? { exec: opts.exec } : {}) });
    await worker?.close();
    await rt.close();
    await redis.stop();
    process.exit(code);
  });

program
  .command('demo')
  .description('start Redis, 3 ganache and 2 litecoind nodes, a worker, and open the console on them')
  .option('--exec <command>', 'run one command against the demo fleet and exit')
  .option('--as <user>', 'console user (alice admin, bob approver, carol operator)', 'alice')
  .action(async (opts: { exec?: string; as: string }) => process.exit(await (await roles.demo()).runDemo(opts)));

program
  .command('inventory')
  .description('the nodes ChainOps manages: fleet file plus Terraform outputs (needs REDIS_URL for the latter)')
  .option('--ansible', 'write an Ansible inventory (YAML) with groups per node group, env, chain and chain+env')
  .option('--out <file>', 'write to this file instead of stdout')
  .action(async (opts: { ansible?: boolean; out?: string }) => {
    const { writeInventory } = await import('./inventory.command.ts');
    process.exit(await writeInventory(opts));
  });

const config = program.command('config').description('fleet file tools');
config
  .command('check')
  .argument('[file]', 'fleet file (default $CHAINOPS_CONFIG or chainops.yaml)')
  .description('validate a fleet file; print every problem with its path and how to fix it')
  .action(async (file?: string) => {
    const path = file ?? process.env['CHAINOPS_CONFIG'] ?? 'chainops.yaml';
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      console.error(`✖ cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'}) — pass the fleet file's path`);
      process.exit(2);
    }
    const { guardSettingsFromEnv } = await import('../fleet/fleet-guard.settings.ts');
    const result = parseFleet(text, { guard: guardSettingsFromEnv(process.env, path) });
    if (result.ok) {
      const f = result.fleet;
      console.log(`✔ ${path} is valid: ${Object.keys(f.environments).length} environments, ${Object.keys(f.groups).length} groups, ${f.nodes.length} nodes`);
      return;
    }
    console.error(`✖ ${path} has ${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}:\n${formatProblems(result.problems)}`);
    process.exit(1);
  });
config
  .command('schema')
  .description('print the JSON Schema of the fleet file (for editor completion)')
  .action(() => console.log(JSON.stringify(fleetJsonSchema(), null, 2)));

// `chainops` alone: the help, on stdout, as a successful answer.
if (process.argv.length <= 2) {
  program.outputHelp();
  process.exit(0);
}

program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(`✖ ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
