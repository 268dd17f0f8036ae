import type { Conversation } from '../../src/chat/chat-event.ts';
import type { Fleet } from '../../src/fleet/fleet.schema.ts';
import { driftDigest, hasDrift, type DriftReport } from '../../src/inventory/drift-report.ts';
import { driftJob } from '../../src/jobs/job-data.schema.ts';
import { driftMessage } from '../../src/render/drift.message.ts';
import type { JobContext } from '../job-context.ts';
import { jobLog } from '../job-log.ts';
import { parseJobData } from '../parse-job-data.ts';
import type { WorkerDeps } from '../worker-deps.ts';
import { checkDrift } from './drift-checks.ts';
import type { DriftDeps } from './drift-deps.ts';

/** Where an environment's reports go: its own channels, else the alert routes that cover it. */
function channelsOf(fleet: Fleet, env: string): Conversation[] {
  const own = fleet.environments[env]?.channels ?? {};
  const routes = fleet.alerts.routes.filter((r) => !r.env || r.env === env);
  const pick = (p: 'slack' | 'discord' | 'console' | 'telegram') => own[p] ?? routes.find((r) => r[p])?.[p];
  return (['slack', 'discord', 'console', 'telegram'] as const).flatMap((p) => {
    const channelId = pick(p);
    return channelId ? [{ platform: p, channelId }] : [];
  });
}

function onlyEnv(r: DriftReport, env: string): DriftReport {
  return { ...r, envs: [env], nodes: r.nodes.filter((n) => n.env === env), count: r.count.filter((c) => c.env === env) };
}

/**
 * Drift: version, capacity and count. Asked for (`/chainops drift`): the report edits the asker's
 * message. Scheduled (daily): one report per environment, posted to its channel only when its
 * findings differ from the last one posted (a fix is posted too: "no drift").
 */
export function driftProcessor(deps: WorkerDeps, dd: DriftDeps = {}) {
  return async (job: JobContext<unknown>) => {
    const data = parseJobData(driftJob, job.data, job.id);
    const fleet = deps.fleet();
    // Scheduled drift jobs get ids from BullMQ's scheduler (`repeat:…`); their full log gets a short
    // id people can type (`/chainops job dr-… log`), shown in the job's result and the report.
    const logId = `dr-${job.id.startsWith('dr-') ? job.id.slice(3) : deps.clock.now().toString(36)}`;
    const fullLog = jobLog(deps, logId);
    const report = await checkDrift(deps, dd, { ...(data.env ? { env: data.env } : {}), skipTerraform: data.skipTerraform, id: job.id, onLine: (l) => {
      fullLog.line(l);
      void job.log(l);
    } });
    fullLog.line(`drift: ${hasDrift(report) ? 'found' : 'none'} — versions: ${report.nodes.filter((n) => n.version).map((n) => n.node).join(', ') || 'none'}; capacity: ${report.nodes.filter((n) => n.capacity?.length).map((n) => n.node).join(', ') || 'none'}; count: ${report.count.filter((c) => c.plan || c.error).map((c) => `${c.env}/${c.group}`).join(', ') || 'none'}`);
    await fullLog.flush();
    const summary = { log: logId, drift: hasDrift(report), nodes: report.nodes.filter((n) => n.version || n.capacity?.length).map((n) => n.node), count: report.count.filter((c) => c.plan || c.error).map((c) => `${c.env}/${c.group}`) };
    if (data.report) {
      await deps.outbox.publish({ op: 'upsert', key: data.report.key, conversation: data.report.conversation, message: driftMessage(fleet, report) });
      return summary;
    }
    const posted: string[] = [];
    const digests: Record<string, string> = {};
    for (const env of report.envs) {
      const mine = onlyEnv(report, env);
      const digest = driftDigest(mine);
      digests[env] = digest.slice(0, 12);
      const key = `${dd.prefix ?? 'chainops'}:drift-report:${env}`;
      const last = dd.kv ? await dd.kv.get(key) : null;
      if (digest === last) continue;
      // The first report of a clean environment is not news; a change (including back to clean) is.
      if (last !== null || hasDrift(mine)) {
        for (const conversation of channelsOf(fleet, env)) {
          await deps.outbox.publish({ op: 'upsert', key: `drift:${env}:${digest.slice(0, 12)}:${job.id}`, conversation, message: driftMessage(fleet, mine, { title: `Daily drift report: ${env}` }) });
        }
        posted.push(env);
      }
      await dd.kv?.set(key, digest);
    }
    return { ...summary, posted, digests };
  };
}
