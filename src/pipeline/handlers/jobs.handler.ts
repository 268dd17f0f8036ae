import { UserError } from '../../errors.ts';
import { QUEUE_NAMES, type JobInfo, type QueueName } from '../../ports/queue.port.ts';
import { actorKey } from '../../policy/roles.ts';
import { ago, noteMessage, titled } from '../../render/basic.messages.ts';
import { num, str, type HandlerContext } from '../context.ts';
import { processRedactor } from '../../secrets/process-secrets.ts';

const PREFIX_QUEUE: Record<string, QueueName> = { hc: 'health', rc: 'health', up: 'upgrade', rb: 'upgrade', rt: 'upgrade', pv: 'provision', dc: 'provision', dr: 'drift', rm: 'remediate' };
/** What `jobs` shows unless `--all`: changes, not the sweeps and checks that run on a schedule. */
const CHANGE_QUEUES: readonly QueueName[] = ['upgrade', 'provision', 'remediate'];
/** A rollout's own end state says more than BullMQ's "completed" (an aborted rollback also completes). */
const OUTCOMES = new Set(['done', 'failed', 'aborted', 'halted', 'rolled-back', 'rolled_back', 'skipped', 'refused']);
const LOG_LINES = 60;
const redactor = processRedactor();

/** The id forms `jobs` lists, for messages: `up-…, pv-…, repeat:<schedule>:<time>`. */
export const JOB_ID_FORMS = [...Object.keys(PREFIX_QUEUE).map((p) => `${p}-…`), 'repeat:<schedule>:<time>'].join(', ');

/** Which queue a job id belongs to, from its prefix (`up-…` → upgrade); undefined for a scheduled job's id. */
export function queueOfJob(id: string): QueueName | undefined {
  if (id.startsWith('repeat:')) return undefined;
  const q = PREFIX_QUEUE[id.split('-')[0] ?? ''];
  if (!q) throw new UserError('not_found', `\`${id}\` is not a job id — job ids look like ${JOB_ID_FORMS}; see \`/chainops jobs\``);
  return q;
}

/** The job with this id: by its prefix, or (a scheduled job's `repeat:` id) in whichever queue has it. */
async function findJob(ctx: HandlerContext, id: string): Promise<JobInfo | undefined> {
  const queue = queueOfJob(id);
  if (queue) return ctx.deps.queue.get(queue, id);
  for (const q of QUEUE_NAMES) {
    const job = await ctx.deps.queue.get(q, id);
    if (job) return job;
  }
  return undefined;
}

/** The state people read: a finished change's own outcome (aborted, halted …) rather than "completed". */
function shownState(j: JobInfo): string {
  const status = (j.result as { status?: unknown } | null | undefined)?.status;
  return j.state === 'completed' && typeof status === 'string' && OUTCOMES.has(status) ? status : j.state;
}

/** `jobs [--limit N] [--all]`: recent changes; with `--all` also sweeps and scheduled checks. */
export async function jobsHandler(ctx: HandlerContext): Promise<void> {
  const all = ctx.command.values['all'] === true;
  const jobs = await ctx.deps.queue.list(Math.min(num(ctx, 'limit') ?? 10, 50), all ? QUEUE_NAMES : CHANGE_QUEUES);
  const now = ctx.deps.clock.now();
  const rows = jobs.map((j) => [j.id, j.queue, shownState(j), ago(now - j.createdAt), j.failedReason ?? logNote(j.result)]);
  const what = all ? 'jobs' : 'changes';
  const blocks: Array<import('../../chat/message.ts').Block> = jobs.length
    ? [{ type: 'table', columns: ['id', 'queue', 'state', 'created', 'note'], rows }]
    : [{ type: 'text', text: `No ${what} yet${all ? ` on ${QUEUE_NAMES.join(', ')}` : ''}.` }];
  if (!all) blocks.push({ type: 'context', text: 'Health sweeps and scheduled checks: `/chainops jobs --all`. One job: `/chainops job <id>`.' });
  await ctx.respond(titled(`Recent ${what} — ${jobs.length}`, blocks, { ephemeral: true }));
}

/** `job <id> [log]`: state, progress and result of one job. */
export async function jobHandler(ctx: HandlerContext): Promise<void> {
  const id = str(ctx, 'id')!;
  if (str(ctx, 'log')) return logReply(ctx, id);
  const job = await findJob(ctx, id);
  if (!job) throw new UserError('not_found', `no job \`${id}\` — it may have expired; see \`/chainops jobs\``);
  await ctx.respond(titled(`Job ${job.id}`, jobBlocks(job, ctx.deps.clock.now()), { ephemeral: true, severity: job.state === 'failed' ? 'error' : 'info' }));
}

function jobBlocks(job: JobInfo, now: number) {
  const fields = [
    { label: 'queue', value: job.queue },
    { label: 'state', value: job.state },
    { label: 'created', value: ago(now - job.createdAt) },
  ];
  if (job.finishedAt) fields.push({ label: 'finished', value: ago(now - job.finishedAt) });
  const blocks: Array<import('../../chat/message.ts').Block> = [{ type: 'fields', fields }];
  if (job.failedReason) blocks.push({ type: 'text', text: `Failed: ${job.failedReason}` });
  if (job.progress !== undefined && job.progress !== null && job.progress !== 0) blocks.push({ type: 'code', text: JSON.stringify(job.progress, null, 2) });
  if (job.result !== undefined && job.result !== null) blocks.push({ type: 'code', text: JSON.stringify(job.result, null, 2) });
  return blocks;
}

/** `cancel <id>`: remove a job that has not started. */
export async function cancelHandler(ctx: HandlerContext): Promise<void> {
  const id = str(ctx, 'id')!;
  const queue = queueOfJob(id);
  if (!queue) throw new UserError('parse_error', `${id} runs on a schedule and cannot be cancelled; scheduled checks stop with the worker`);
  const ok = await ctx.deps.queue.cancel(queue, id);
  await ctx.deps.audit.append({ at: ctx.deps.clock.now(), actor: actorKey(ctx.actor), action: 'job.cancel', detail: id, outcome: ok ? 'ok' : 'refused' });
  await ctx.respond(ok
    ? noteMessage(`Cancelled ${id}; it will not run.`, 'ok')
    : noteMessage(`${id} could not be cancelled: it is running, finished or gone. For a rollout use \`/chainops rollout abort ${id}\`.`, 'warn'));
}

/**
 * `job <id> log`: the tail of a job's full log, for every kind — a rollout's playbook output, gates
 * and takeovers; Terraform output of provision/decommission; drift checks; remediation output. Kept
 * in one place (the rollout store's capped logs, by id), redacted when written and again here.
 */
async function logReply(ctx: HandlerContext, id: string): Promise<void> {
  // A retry job (`rt-…`) continues a rollout: its lines are in that rollout's log.
  const job = id.startsWith('rt-') ? await findJob(ctx, id) : undefined;
  const logId = (job?.data as { rolloutId?: string } | null | undefined)?.rolloutId ?? id;
  const lines = (await ctx.deps.rollouts.tailLog(logId, LOG_LINES)).map((l) => redactor.redact(l));
  if (lines.length === 0) {
    const known = job ?? (await findJob(ctx, id));
    if (!known) throw new UserError('not_found', `no job or log \`${id}\` — it may have expired; see \`/chainops jobs\``);
    await ctx.respond(noteMessage(`${id} has written no log lines yet (${known.state}); \`/chainops job ${id}\` shows its state.`));
    return;
  }
  await ctx.respond(titled(`Log of ${logId} — last ${lines.length} lines`, [{ type: 'code', text: lines.join('\n') }], { ephemeral: true }));
}

/** Scheduled jobs (drift) have ids nobody can type; their result names their log. */
function logNote(result: unknown): string {
  const log = (result as { log?: unknown } | null | undefined)?.log;
  return typeof log === 'string' ? `log: \`job ${log} log\`` : '';
}
