import { isAbsolute, resolve } from 'node:path';
import { threadItems } from '../../src/alerts/alert-outbox.ts';
import type { Alert } from '../../src/alerts/alert.types.ts';
import { ALERT_DEFAULTS } from '../../src/alerts/default-rules.ts';
import { actionFor, remedyFor, type ResolvedAction } from '../../src/alerts/remediation.ts';
import type { Message, Severity } from '../../src/chat/message.ts';
import { errorMessage } from '../../src/errors.ts';
import { nodeLeaseKey } from '../../src/policy/locks.ts';
import type { FleetNode } from '../../src/fleet/fleet.schema.ts';
import { remediateJob, type RemediateJob } from '../../src/jobs/job-data.schema.ts';
import type { AuditEntry } from '../../src/ports/audit.port.ts';
import { alertThreadMessage } from '../../src/render/alert.message.ts';
import type { JobContext } from '../job-context.ts';
import { parseJobData } from '../parse-job-data.ts';
import { jobLog } from '../job-log.ts';
import type { WorkerDeps } from '../worker-deps.ts';
import { runDiagnose, type Outcome } from './diagnose.step.ts';
import { dryRunAction } from './dry-run.step.ts';
import { tail } from './output-tail.ts';
import { ChangeExecution } from '../change-runner/execution.ts';
import { isLease } from '../lease.ts';

export type RemediateDeps = Pick<WorkerDeps, 'fleet' | 'checkerFor' | 'state' | 'audit' | 'outbox' | 'clock' | 'logger' | 'alerts' | 'ssh'> &
  Partial<Pick<WorkerDeps, 'playbooks' | 'fleetDir' | 'rollouts' | 'workerId' | 'leaseMs'>>;

const WEEK_MS = 7 * 86_400_000;
/** No action runs longer than this, whatever the fleet file says (the node lease is renewed meanwhile). */
const MAX_ACTION_MS = 30 * 60_000;

/**
 * Run one fleet-file action on one node and post what it did and how it went (in the alert's
 * thread, or the job's own message). The command is always read from the fleet file; a job is never
 * re-run blindly after a worker crash; an automatic run honours its rule's per-node cool-down.
 * Every run, refusal and result is in the audit log. Failures are reported, not thrown: BullMQ
 * must not retry a restart on its own.
 */
export function remediateProcessor(deps: RemediateDeps) {
  return async (job: JobContext<unknown>) => {
    const data = parseJobData(remediateJob, job.data, job.id);
    const fleet = deps.fleet();
    const fullLog = jobLog(deps, job.id);
    const alert = data.alertId && deps.alerts ? await deps.alerts.get(data.alertId) : undefined;
    const audit = (action: string, outcome: AuditEntry['outcome'], detail: string) =>
      deps.audit.append({ at: deps.clock.now(), actor: data.trigger === 'auto' ? 'system' : data.requestedBy, action, detail: `${job.id} ${data.action} on ${data.node}: ${detail}`.slice(0, 500), outcome, ref: job.id });
    const post = async (message: Message) => {
      const items = alert && alert.targets.length > 0
        ? threadItems(alert, message)
        : data.report ? [{ op: 'upsert' as const, key: data.report.key, conversation: data.report.conversation, message }] : [];
      for (const item of items) await deps.outbox.publish(item);
    };
    const refuse = async (why: string, severity: Severity = 'warn') => {
      await audit('job.end', 'refused', why);
      fullLog.line(`did not run: ${why}`);
      await fullLog.flush();
      await post(alertThreadMessage(`⛔ ${data.action} on ${data.node} did not run: ${why}`, severity));
      return { ran: false, why };
    };

    const node = fleet.nodes.find((n) => n.name === data.node);
    if (!node) return refuse(`${data.node} is no longer in the fleet file`);
    const found = actionFor(fleet, data.action, node);
    if (!found) return refuse(`the fleet file defines no action \`${data.action}\` for group ${node.group} any more`);
    const action: ResolvedAction = { ...found, timeoutMs: Math.min(found.timeoutMs, MAX_ACTION_MS) };
    // A command that changes the node (restart, resync) is a change like a rollout: refused while
    // the environment is frozen, and it holds the node's fenced lease (renewed while the action runs,
    // checked right before it starts) — never both at once on one node, and the alert engine leaves
    // the node alone meanwhile. Diagnostics only read, so they need neither.
    const exec = new ChangeExecution({ state: deps.state, workerId: deps.workerId ?? 'worker', leaseMs: deps.leaseMs ?? 30_000 }, `remediate-${job.id}`, node.env);
    const changes = action.kind !== 'diagnose';
    const freeze = changes ? await exec.frozen() : undefined;
    if (freeze) return refuse(`${node.env} is frozen by ${freeze.by} (${freeze.reason}) — run it again after \`/chainops unfreeze ${node.env}\``);
    const lease = changes ? await exec.take(nodeLeaseKey(node.name), `${job.id} ${data.action} on ${node.name}`, { waitMs: 0 }) : undefined;
    if (lease && !isLease(lease)) {
      return refuse(`${node.name} is being acted on by ${lease.current.purpose} — ${data.action} does not run at the same time; run it again once that is done`);
    }
    try {
      if (!(await deps.state.claimOnce(`remediate-run:${job.id}`, WEEK_MS))) {
        return await refuse('this job already started once (the worker stopped mid-way?); it is not re-run automatically — check the node, then run it again by hand if needed', 'error');
      }
      const cooldownMs = cooldownOf(deps, alert, node);
      // A dry run changes nothing, so it does not use up the cool-down of the real action.
      const fresh = data.dryRun || (await deps.state.claimOnce(`remediate-cooldown:${node.name}:${data.action}`, cooldownMs));
      if (data.trigger === 'auto' && !fresh) {
        return await refuse(`cool-down: ${data.action} already ran on ${node.name} within the last ${Math.round(cooldownMs / 60_000)}m — it is not repeated automatically, so it cannot loop`);
      }
      await audit('job.start', 'pending', `${data.trigger} ${data.dryRun ? 'dry run' : 'run'}${alert ? ` for ${alert.id}` : ''}`);
      let outcome: Outcome;
      try {
        const log = async (line: string) => {
          fullLog.line(line);
          await job.log(line);
        };
        // The node lease's token is current right before the action touches the node (a dry run only reads).
        if (!data.dryRun) await exec.beforeStep();
        outcome = data.dryRun ? await dryRunAction(deps, action, node, log) : await execute(deps, action, node, log);
      } catch (err) {
        outcome = { ok: false, text: `${data.action} on ${node.name} could not run: ${errorMessage(err)}` };
      }
      fullLog.line(`${outcome.ok ? 'ok' : 'failed'}: ${outcome.text}${outcome.output ? `\n${outcome.output}` : ''}`);
      await fullLog.flush();
      await audit('job.end', outcome.ok ? 'ok' : 'failed', outcome.text.split('\n')[0] ?? '');
      await post(alertThreadMessage(`${outcome.ok ? '✅' : '❌'} ${outcome.text}`, outcome.ok ? 'ok' : 'error', outcome.output));
      return { ran: true, ok: outcome.ok };
    } finally {
      await exec.releaseAll().catch(() => undefined);
    }
  };
}

function cooldownOf(deps: RemediateDeps, alert: Alert | undefined, node: FleetNode): number {
  const rule = alert ? remedyFor(deps.fleet(), alert.rule, alert.env, node.group) : undefined;
  return rule?.cooldown ?? ALERT_DEFAULTS.cooldownMs;
}

async function execute(deps: RemediateDeps, action: ResolvedAction, node: FleetNode, log: (line: string) => Promise<void>): Promise<Outcome> {
  if (action.kind === 'diagnose') return runDiagnose(deps, action, node);
  if (action.kind === 'ssh') {
    if (!deps.ssh) return { ok: false, text: `${action.name} on ${node.name}: this worker has no SSH runner` };
    const r = await deps.ssh.run(node, action.argv, { timeoutMs: action.timeoutMs });
    await log(`$ ${action.argv.join(' ')}\n${r.stdout}\n${r.stderr}`);
    const how = r.timedOut ? `timed out after ${action.timeoutMs / 1000}s` : `exited ${r.code ?? 'without a code'}`;
    return {
      ok: !r.timedOut && r.code === 0,
      text: `${action.name} on ${node.name}: \`${action.argv.join(' ')}\` ${how} in ${(r.durationMs / 1000).toFixed(1)}s`,
      output: tail(`${r.stdout}${r.stderr ? `\n${r.stderr}` : ''}`),
    };
  }
  if (!deps.playbooks || !deps.fleetDir) {
    return { ok: false, text: `${action.name} on ${node.name}: playbook actions need the Ansible runner, which this worker does not have` };
  }
  const playbook = isAbsolute(action.playbook) ? action.playbook : resolve(deps.fleetDir, action.playbook);
  const r = await deps.playbooks.run({
    fleet: deps.fleet(), playbook, nodes: [node], extraVars: { chainops_action: action.name, chainops_node: node.name },
    timeoutMs: action.timeoutMs, onLine: (line) => void log(line),
  });
  const failures = r.failures.map((f) => `${f.host}: ${f.task} — ${f.msg}`).join('\n');
  return { ok: r.ok, text: `${action.name} on ${node.name}: playbook ${action.playbook} ${r.ok ? 'succeeded' : `failed (exit ${r.rc})`}`, ...(failures ? { output: tail(failures) } : {}) };
}

export type { RemediateJob };
