// One configuration of the alert bench: its own fleet file, its own Slack Web API stand-in and its own
// `node bin/chainops.js all` process (bot + worker), on a Redis prefix of its own. Several lanes watch
// the same ganache nodes, so one fault is measured by every configuration at once.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../adapters/local/free-port.ts';
import { waitFor } from '../adapters/local/wait-for.ts';
import { DEFAULT_RULES } from '../src/alerts/default-rules.ts';
import { startBotProcess, type BotProcess } from '../test/helpers/bot-process.ts';
import { writeE2eFleet } from '../test/helpers/e2e-fleet.ts';
import { startSlackStandIn, type SlackCall, type SlackStandIn } from '../test/stand-ins/slack-api.stand-in.ts';

/** A fleet variant under test. */
export interface AlertConfig {
  label: string;
  /** Results in a row the `unreachable` rule needs before it fires. */
  consecutive: number;
  set: Array<[Array<string | number>, unknown]>;
}

export const ALERT_CONFIGS: AlertConfig[] = [
  { label: 'defaults (consecutive 2)', consecutive: 2, set: [] },
  {
    label: 'unreachable consecutive: 1',
    consecutive: 1,
    // The default rules, written out, with only `unreachable` changed: everything else stays as in (a).
    set: [[['alerts', 'rules'], DEFAULT_RULES.map((r) => (r.name === 'unreachable' ? { ...r, consecutive: 1 } : { ...r }))]],
  },
];

const BOT_TOKEN = `xoxb-bench-alert-${randomBytes(8).toString('hex')}`;
const ALERTS = 'C0ALERTS';

export interface Lane {
  cfg: AlertConfig;
  /** The root `chat.postMessage` "FIRING unreachable on <node>" received at or after `since` (epoch ms). */
  fired(node: string, since: number, timeoutMs: number): Promise<SlackCall | undefined>;
  /** The "Resolved after" line in the thread of the alert whose root is `ts`. */
  resolved(ts: string, timeoutMs: number): Promise<SlackCall | undefined>;
  /** Epoch ms at which the worker started the last health sweep no later than `at` (from its log). */
  sweepStartBefore(at: number): number | undefined;
  /** Health sweeps the worker has completed so far. */
  sweepsDone(): number;
  /** What the stand-in received so far: alert roots, resolutions, any other post or edit (a duplicate would show here). */
  tally(): { firing: number; resolved: number; other: number };
  stop(): Promise<void>;
}

export interface LaneOptions {
  redisUrl: string;
  urls: Record<string, string>;
  interval: string;
  timeout: string;
}

const poll = <T>(what: string, probe: () => T | undefined, timeoutMs: number) =>
  waitFor(async () => probe(), { what, timeoutMs, intervalMs: 10 }).catch(() => undefined);

export async function startLane(cfg: AlertConfig, opts: LaneOptions): Promise<Lane> {
  const dir = await mkdtemp(join(tmpdir(), 'chainops-bench-alert-'));
  let slack: SlackStandIn | undefined;
  let proc: BotProcess | undefined;
  const stop = async () => {
    await proc?.stop().catch(() => undefined);
    await slack?.stop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    slack = await startSlackStandIn({ botToken: BOT_TOKEN });
    const fleetPath = await writeE2eFleet(dir, {
      urls: opts.urls,
      onlyNodes: Object.keys(opts.urls),
      slack: { channel: 'C0OPS', alertsChannel: ALERTS },
      healthInterval: opts.interval,
      set: [
        [['health', 'timeout'], opts.timeout],
        // Independent ganache chains drift apart, and a restarted one starts again at block 0: lag is
        // not what this bench is about.
        [['environments', 'prod', 'thresholds', 'max_lag_blocks'], 100_000],
        [['alerts', 'reminder'], 0],
        ...cfg.set,
      ],
    });
    proc = await startBotProcess('all', {
      REDIS_URL: opts.redisUrl, CHAINOPS_CONFIG: fleetPath, CHAINOPS_PREFIX: `bench-alert-${randomBytes(3).toString('hex')}`, LOG_LEVEL: 'info',
      SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: randomBytes(16).toString('hex'), SLACK_API_URL: slack.url, PORT: String(await freePort()),
    }, 120_000);
    await proc.waitForLog((l) => l.msg === 'health sweeps scheduled', '"health sweeps scheduled"', 60_000);
  } catch (err) {
    await stop();
    throw err;
  }
  const s = slack;
  const p = proc;
  // Sweep rounds of the sharded sweeper: each logs its scheduled start (`round`) when its share is done.
  const rounds = () => p.logs().filter((l) => l.msg === 'health sweep share done').map((l) => Number(l['round']));
  return {
    cfg,
    fired: (node, since, timeoutMs) =>
      poll(`FIRING unreachable on ${node}`, () => s.callsOf('chat.postMessage').find((c) =>
        c.at >= since && c.status === 200 && c.args.thread_ts === undefined && new RegExp(`FIRING unreachable on ${node}\\b`).test(c.args.text ?? '')), timeoutMs),
    resolved: (ts, timeoutMs) =>
      poll(`the resolution of ${ts}`, () => s.callsOf('chat.postMessage').find((c) => c.args.thread_ts === ts && /Resolved after/.test(c.args.text ?? '')), timeoutMs),
    sweepStartBefore: (at) => rounds().filter((t) => t <= at).at(-1),
    sweepsDone: () => rounds().length,
    tally() {
      const posts = s.callsOf('chat.postMessage').filter((c) => c.status === 200);
      const firing = posts.filter((c) => c.args.thread_ts === undefined && /FIRING unreachable on /.test(c.args.text ?? '')).length;
      const resolved = posts.filter((c) => c.args.thread_ts !== undefined && /Resolved after/.test(c.args.text ?? '')).length;
      // Each resolution also edits the alert's root once (chat.update); anything beyond is "other".
      const updates = s.callsOf('chat.update').filter((c) => c.status === 200).length;
      return { firing, resolved, other: posts.length - firing - resolved + Math.max(0, updates - resolved) };
    },
    stop,
  };
}
