import { createHash } from 'node:crypto';
import { threadItems } from '../../alerts/alert-outbox.ts';
import type { Alert } from '../../alerts/alert.types.ts';
import { actionFor, actionNames } from '../../alerts/remediation.ts';
import { UserError } from '../../errors.ts';
import { NAME_RE } from '../../fleet/names.ts';
import { alertThreadMessage } from '../../render/alert.message.ts';
import { jobMessage } from '../../render/job.message.ts';
import { noteMessage } from '../../render/basic.messages.ts';
import { str, type HandlerContext } from '../context.ts';
import { conversationOf, postOwned } from '../owned-message.ts';
import { FIRST_POST_LEASE_MS, firstPostLock } from '../outbox-delivery.ts';
import { requireAlerts } from './alerts.handler.ts';

/**
 * `run <action> <node> [--alert <id>]` (and the Restart node / Run diagnostics buttons): queue a
 * fleet-file action on one node. Only the action's name comes from chat; its command is read from
 * the fleet file by the worker. With `--alert`, the result goes to that alert's thread.
 */
export async function runHandler(ctx: HandlerContext): Promise<void> {
  const action = str(ctx, 'action')!;
  const nodeName = str(ctx, 'node')!;
  const alertId = str(ctx, 'alert');
  if (!NAME_RE.test(action)) throw new UserError('parse_error', 'an action name is lowercase letters, digits and dashes, e.g. `restart` or `diagnose`');
  const node = ctx.fleet.nodes.find((n) => n.name === nodeName);
  if (!node) throw new UserError('not_found', `no node \`${nodeName}\` in the fleet file — see \`/chainops nodes\``);
  const resolved = actionFor(ctx.fleet, action, node);
  if (!resolved) {
    throw new UserError('not_found', `no action \`${action}\` for group ${node.group} — define it under \`alerts.actions\` in the fleet file (defined here: ${actionNames(ctx.fleet, node).join(', ')})`);
  }
  if (resolved.kind !== 'diagnose' && !node.ssh) {
    throw new UserError('parse_error', `${node.name} has no \`ssh:\` settings in the fleet file, so \`${action}\` cannot run there`);
  }
  const alert = alertId ? await requireAlerts(ctx).get(alertId) : undefined;
  if (alertId && !alert) throw new UserError('not_found', `no alert \`${alertId}\` — see \`/chainops alerts\``);
  if (alert && alert.node !== node.name) throw new UserError('parse_error', `alert ${alert.id} is about ${alert.node ?? `${alert.chain}/${alert.network}`}, not ${node.name}`);

  // Retries of one delivery (and double clicks Slack de-duplicates) land on the same job.
  const seed = ctx.event.deliveryId ? `${ctx.event.deliveryId}/${action}/${node.name}${ctx.command.values['dry-run'] === true ? '/dry-run' : ''}` : ctx.deps.newId();
  const jobId = `rm-${createHash('sha256').update(seed).digest('hex').slice(0, 10)}`;
  const report = alert && alert.targets.length > 0 ? undefined : { key: `job:${jobId}`, conversation: conversationOf(ctx) };
  const dryRun = ctx.command.values['dry-run'] === true;
  const data = {
    v: 1, node: node.name, action, trigger: 'manual' as const, requestedBy: ctx.who, ...(dryRun ? { dryRun } : {}),
    ...(alert ? { alertId: alert.id } : {}), ...(report ? { report } : {}),
  };
  // Hold the first-post lock of the job's message from before the job exists until it is posted: a
  // fast worker's result then waits for that message and edits it, never posting a second one.
  const holder = `bot-${ctx.deps.newId()}`;
  const lock = report ? await ctx.deps.state.acquireLock(firstPostLock(report.key), holder, 'first post', FIRST_POST_LEASE_MS) : { ok: false };
  try {
    const { created } = await ctx.deps.queue.enqueue('remediate', jobId, data);
    if (!created) {
      await ctx.respond(noteMessage(`${action} on ${node.name} is already queued as ${jobId}.`));
      return;
    }
    await ctx.deps.audit.append({ at: ctx.deps.clock.now(), actor: ctx.who, action: 'job.enqueue', detail: `${jobId} run ${action} on ${node.name}${alert ? ` for ${alert.id}` : ''}`, outcome: 'ok', ref: jobId });
    const what = `${dryRun ? 'dry run of ' : ''}${action} on ${node.name}`;
    if (report) {
      await postOwned(ctx, report.key, jobMessage({ jobId, title: `run ${what}`, state: 'queued', summary: [{ type: 'text', text: dryRun ? describeDryRun(resolved.kind) : describe(resolved.kind) }] }));
      return;
    }
    await announceInThread(ctx, alert!, what, jobId);
  } finally {
    if (report && lock.ok) await ctx.deps.state.releaseLock(firstPostLock(report.key), holder);
  }
}

/** The result of a run for an alert goes to the alert's thread: say it started there. */
async function announceInThread(ctx: HandlerContext, alert: Alert, what: string, jobId: string): Promise<void> {
  for (const item of threadItems(alert, alertThreadMessage(`🛠 ${ctx.who} started ${what} (job ${jobId}); the result follows here.`))) await ctx.deps.outbox.publish(item);
  await ctx.respond(noteMessage(`Queued ${what} (job ${jobId}); the result goes to the thread of ${alert.id}.`, 'ok'));
}

function describe(kind: 'ssh' | 'playbook' | 'diagnose'): string {
  if (kind === 'diagnose') return 'Host facts over SSH and a fresh RPC check (plus the group\'s own diagnose command, if it has one).';
  return kind === 'ssh' ? 'Runs the command the fleet file defines for this action over SSH.' : 'Runs the Ansible playbook the fleet file defines for this action.';
}

function describeDryRun(kind: 'ssh' | 'playbook' | 'diagnose'): string {
  if (kind === 'diagnose') return 'Diagnostics change nothing: they run as usual.';
  return kind === 'ssh' ? 'Dry run: checks that the node answers over SSH (pinned host key) and shows the command; runs nothing.' : 'Dry run: the playbook with --check --diff; changes nothing.';
}
