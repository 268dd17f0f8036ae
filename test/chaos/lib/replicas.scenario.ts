// Chaos item 3: two bot replicas (each composed as in production: createRuntime + startBotRole) and
// two worker hosts on one Redis, one Slack stand-in. Every command is delivered more than once —
// Slack retries (X-Slack-Retry-Num, fresh timestamp and signature) to the other replica, some at the
// same moment, and approvals double-clicked across both replicas. Each command gets its own channel,
// so what it caused is counted per command: jobs in BullMQ, processor runs, messages, edits, answers.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { startRedisServer, type RedisServerHandle } from '../../../adapters/local/redis-server.process.ts';
import { waitFor } from '../../../adapters/local/wait-for.ts';
import { RedisOutbox } from '../../../adapters/outbox/redis.outbox.ts';
import { startWorkerHost, type WorkerHost } from '../../../jobs/worker-host.ts';
import type { JobContext } from '../../../jobs/job-context.ts';
import type { Conversation } from '../../../src/chat/chat-event.ts';
import { prng } from '../../../bench/command-corpus.ts';
import { formBody, interactiveBody, slackSignature } from '../../helpers/slack-sign.ts';
import { startSlackStandIn, type SlackCall, type SlackStandIn } from '../../stand-ins/slack-api.stand-in.ts';
import { appMention, blockActions, eventEnvelope, slashCommandFields } from '../../stand-ins/slack-payloads.ts';
import { SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, startBotStack, type BotStack } from './bot-stack.ts';

export const RPC_PASSWORD = 'chaos-rpc-password-5b1e7d';

const FLEET = `
version: 1
name: chaos-replicas
environments:
  dev: { approval: { required: 0 } }
  prod: { approval: { required: 1, approver_role: approver, self_approval: false, expires: 30m } }
groups:
  ltc-regtest: { chain: litecoin, network: regtest, client: litecoind, desired_version: 0.21.2.1, rpc: { kind: bitcoin } }
  eth-devnet: { chain: ethereum, network: devnet, client: geth, desired_version: 1.14.3, rpc: { kind: eth } }
nodes:
  - { name: ltc-1, group: ltc-regtest, env: dev, rpc_url: "http://127.0.0.1:9/", rpc_auth: { username: chainops, password_env: CHAINOPS_SECRET_CHAOS_LTC_RPC_PASSWORD } }
  - { name: eth-1, group: eth-devnet, env: prod, rpc_url: "http://127.0.0.1:9/" }
  - { name: eth-2, group: eth-devnet, env: prod, rpc_url: "http://127.0.0.1:9/" }
health: { interval: 1h, timeout: 500ms }
roles:
  viewer: { slack: [T0STANDIN/U0VIEW] }
  operator: { slack: [T0STANDIN/U0OPER] }
  approver: { slack: [T0STANDIN/U0APPR] }
`;

export type CommandKind = 'slash-upgrade' | 'mention-upgrade' | 'approval' | 'read';

export interface CommandOutcome {
  i: number;
  kind: CommandKind;
  channel: string;
  /** BullMQ jobs whose data names this command's version. */
  jobs: number;
  /** Processor runs of those jobs, over both workers. */
  runs: number;
  /** chat.postMessage calls in its channel, not counting a job's "done" report. */
  posts: number;
  /** chat.update calls in its channel, not counting a job's "done" report. */
  updates: number;
  /** The job's "done" report reaching Slack (as an edit or, if it raced ahead, as a new message). */
  doneCalls: number;
  /** …of which were new messages instead of an edit of the job's message. */
  donePosted: number;
  /** Messages in its channel whose final version still says "queued" (a job message never edited). */
  staleQueued: number;
  /** response_url answers to it. */
  answers: number;
  /** Approval requests created for it. */
  approvals: number;
  /** Approval request messages posted for it, and edits of them (to approved). */
  approvalPosts: number;
  approvalEdits: number;
}

export interface ReplicasResult {
  outcomes: CommandOutcome[];
  deliveries: number;
  retriesAtTheSameMoment: number;
  /** Duplicate deliveries each replica dropped (from its logs), to show both took part. */
  duplicatesDropped: [number, number];
  standIn: SlackStandIn;
  logs: string[];
  secrets: Record<string, string>;
  /** Statuses other than 200 the bot answered (must be none). */
  badStatuses: number[];
}

const nowSec = () => Math.floor(Date.now() / 1000);

async function post(url: string, body: string, extra: Record<string, string> = {}, tsOffset = 0): Promise<number> {
  const ts = nowSec() + tsOffset;
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': body.startsWith('{') ? 'application/json' : 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(ts),
      'x-slack-signature': slackSignature(SLACK_SIGNING_SECRET, body, ts),
      ...extra,
    },
    body,
  });
  await res.arrayBuffer();
  return res.status;
}

/** Run the scenario with `commands` commands, `concurrency` of them in flight at once. Cleans up after itself. */
export async function replicasScenario(opts: { commands: number; concurrency?: number; seed?: number }): Promise<ReplicasResult> {
  const r = prng(opts.seed ?? 0x2e91);
  const prefix = `chaos-${randomUUID().slice(0, 8)}`;
  let redis: RedisServerHandle | undefined;
  let standIn: SlackStandIn | undefined;
  const bots: BotStack[] = [];
  const hosts: WorkerHost[] = [];
  let outboxRedis: Redis | undefined;
  try {
    redis = await startRedisServer({ appendonly: false });
    standIn = await startSlackStandIn({ botToken: SLACK_BOT_TOKEN });
    const si = standIn;
    for (let k = 0; k < 2; k++) {
      bots.push(await startBotStack({ redisUrl: redis.url, prefix, fleetYaml: FLEET, slack: { apiUrl: si.url }, env: { CHAINOPS_SECRET_CHAOS_LTC_RPC_PASSWORD: RPC_PASSWORD } }));
    }
    // Two workers. Their processors stand in for the real ones (which other issues are building):
    // count the run and report "done" on the job's message through the Redis outbox, as a real one does.
    outboxRedis = new Redis(redis.url, { maxRetriesPerRequest: 3 });
    const outbox = new RedisOutbox(outboxRedis, prefix);
    const runs = new Map<string, number>();
    const processor = async (ctx: JobContext<unknown>) => {
      runs.set(ctx.id, (runs.get(ctx.id) ?? 0) + 1);
      const data = ctx.data as { report?: { key: string; conversation: Conversation } };
      if (data.report) await outbox.publish({ op: 'upsert', key: data.report.key, conversation: data.report.conversation, message: { text: `${ctx.id}: done`, severity: 'ok', blocks: [{ type: 'text', text: `${ctx.id}: done` }] } });
      return { done: true };
    };
    const quiet = { info() {}, warn() {}, error() {} };
    for (let k = 0; k < 2; k++) hosts.push(await startWorkerHost({ redisUrl: redis.url, prefix, concurrency: 8, logger: quiet, processors: { upgrade: processor, provision: processor } }));

    const urls = bots.map((b) => b.slackEventsUrl!) as [string, string];
    const kinds: CommandKind[] = Array.from({ length: opts.commands }, () => {
      const x = r();
      return x < 0.4 ? 'slash-upgrade' : x < 0.6 ? 'mention-upgrade' : x < 0.8 ? 'approval' : 'read';
    });
    const channelOf = (i: number) => `C${i.toString(36).toUpperCase().padStart(6, '0')}`;
    const versionOf = (i: number) => `2.${Math.floor(i / 1000)}.${i % 1000}`;
    let deliveries = 0;
    let sameMoment = 0;
    const badStatuses: number[] = [];
    const check = (s: number) => void (s !== 200 && badStatuses.push(s));

    /** One command, delivered to replica `a` and retried to the other (sometimes at once). */
    const run = async (i: number) => {
      const kind = kinds[i]!;
      const channel = channelOf(i);
      const a = Math.floor(r() * 2);
      const [first, other] = [urls[a]!, urls[1 - a]!];
      const together = r() < 0.5;
      const retries = 1 + Math.floor(r() * 3);
      const send = async (body: string, retryHeaders: (n: number) => Record<string, string>) => {
        deliveries += 1 + retries;
        if (together) sameMoment++;
        const original = post(first, body);
        if (!together) check(await original);
        const again = Array.from({ length: retries }, (_, n) => post(n % 2 === 0 ? other : first, body, retryHeaders(n + 1), n + 1));
        for (const s of await Promise.all(together ? [original, ...again] : again)) check(s);
      };
      const slashRetry = (n: number) => ({ 'X-Slack-Retry-Num': String(n), 'X-Slack-Retry-Reason': 'http_timeout' });
      if (kind === 'slash-upgrade' || kind === 'read' || kind === 'approval') {
        const text = kind === 'read' ? (i % 2 ? 'help' : 'status --env dev') : kind === 'approval' ? `upgrade eth-devnet ${versionOf(i)} --env prod` : `upgrade ltc-regtest ${versionOf(i)} --env dev`;
        const user = kind === 'read' ? 'U0VIEW' : 'U0OPER';
        await send(formBody(slashCommandFields({ text, user, channel, responseUrl: si.responseUrl(`cmd-${i}`), trigger: `${i}.${randomUUID()}` })), slashRetry);
      } else {
        const text = `<@U0CHAINOPS> upgrade ltc-regtest ${versionOf(i)} --env dev`;
        const env = eventEnvelope(appMention({ text, user: 'U0OPER', channel, ts: `1700000000.${String(i).padStart(6, '0')}` }), { eventId: `Ev${i.toString(36).toUpperCase()}X${randomUUID().slice(0, 6)}` });
        await send(JSON.stringify(env), slashRetry);
      }
      if (kind !== 'approval') return;
      // The approval request is posted in the command's channel; the approver double-clicks Approve,
      // one click reaching each replica, at the same moment.
      const request = await waitFor(async () => si.callsOf('chat.postMessage').find((c) => c.args.channel === channel && /Approval ap-/.test(String(c.args.text))), { what: `the approval request of command ${i}`, timeoutMs: 30_000, intervalMs: 20 });
      const id = /ap-[a-z0-9]+/.exec(String(request.args.text))![0];
      const ts = String(request.response.ts);
      const click = interactiveBody(blockActions({ actionId: 'approve', value: id, user: 'U0APPR', channel, messageTs: ts, responseUrl: si.responseUrl(`click-${i}`) }));
      deliveries += 2;
      sameMoment++;
      for (const s of await Promise.all([post(urls[0], click), post(urls[1], click, {}, 1)])) check(s);
    };

    let next = 0;
    const lanes = Array.from({ length: opts.concurrency ?? 16 }, async () => {
      while (next < opts.commands) await run(next++);
    });
    await Promise.all(lanes);

    // Every job ran and reported "done" in its message; then let stragglers (duplicates) show up.
    const expectedJobs = kinds.filter((k) => k !== 'read').length;
    await waitFor(async () => runs.size >= expectedJobs, { what: `${expectedJobs} jobs to run (${runs.size} so far)`, timeoutMs: 120_000, intervalMs: 50 });
    const doneCount = () => si.calls.filter((c) => (c.method === 'chat.update' || c.method === 'chat.postMessage') && /: done/.test(String(c.args.text))).length;
    await waitFor(async () => doneCount() >= expectedJobs, { what: `every job message to say done (${doneCount()} of ${expectedJobs})`, timeoutMs: 60_000, intervalMs: 50 });
    await new Promise((res) => setTimeout(res, 500));

    const jobs = await bots[0]!.rt.queue.list(opts.commands * 3);
    const approvals = await bots[0]!.rt.state.listApprovals();
    const byChannel = (method: string) => {
      const m = new Map<string, SlackCall[]>();
      for (const c of si.callsOf(method)) m.set(String(c.args.channel), [...(m.get(String(c.args.channel)) ?? []), c]);
      return m;
    };
    const isDone = (c: SlackCall) => /: done$/.test(String(c.args.text));
    const isApproval = (c: SlackCall) => /Approval ap-[a-z0-9]+ \(/.test(String(c.args.text));
    const posts = byChannel('chat.postMessage');
    const updates = byChannel('chat.update');
    const answers = si.callsOf('response_url');
    const outcomes: CommandOutcome[] = kinds.map((kind, i) => {
      const channel = channelOf(i);
      const mine = jobs.filter((j) => (j.data as { version?: string }).version === versionOf(i) && kind !== 'read');
      return {
        i, kind, channel,
        jobs: mine.length,
        runs: mine.reduce((n, j) => n + (runs.get(j.id) ?? 0), 0),
        posts: (posts.get(channel) ?? []).filter((c) => !isDone(c)).length,
        updates: (updates.get(channel) ?? []).filter((c) => !isDone(c)).length,
        doneCalls: [...(posts.get(channel) ?? []), ...(updates.get(channel) ?? [])].filter(isDone).length,
        donePosted: (posts.get(channel) ?? []).filter(isDone).length,
        staleQueued: si.messages.filter((m) => m.channel === channel && / — queued \(/.test(m.text ?? '')).length,
        answers: answers.filter((c) => c.args.id === `cmd-${i}` || c.args.id === `click-${i}`).length,
        approvals: approvals.filter((a) => a.command.includes(` ${versionOf(i)} `)).length,
        approvalPosts: (posts.get(channel) ?? []).filter(isApproval).length,
        approvalEdits: (updates.get(channel) ?? []).filter(isApproval).length,
      };
    });
    const logs = bots.flatMap((b, k) => b.logs.map((l) => `replica ${k}: ${l}`));
    const droppedBy = (k: number) => bots[k]!.logs.filter((l) => /dropped a duplicate Slack delivery/.test(l)).length;
    return {
      outcomes, deliveries, retriesAtTheSameMoment: sameMoment, duplicatesDropped: [droppedBy(0), droppedBy(1)], standIn: si, logs,
      secrets: { SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, RPC_PASSWORD },
      badStatuses,
    };
  } finally {
    for (const h of hosts) await h.close().catch(() => undefined);
    for (const b of bots) await b.close().catch(() => undefined);
    outboxRedis?.disconnect();
    await standIn?.stop();
    await redis?.stop();
  }
}
