import type { RolloutRecord } from '../../src/rollout/rollout.record.ts';
import type { ChangeExecution } from '../change-runner/execution.ts';
import type { WorkerDeps } from '../worker-deps.ts';
import type { RolloutReport } from './rollout-report.ts';
import { Stop } from './rollout-stop.ts';

/**
 * At a node boundary: a pause request or a freeze of the environment waits here (holding the lock,
 * saying so in the thread); resume or unfreeze continues; abort stops before the next node.
 */
export async function honourControl(deps: WorkerDeps, rec: RolloutRecord, exec: ChangeExecution, report: RolloutReport, sleep: (ms: number) => Promise<void>): Promise<void> {
  for (;;) {
    const control = await deps.rollouts.getControl(rec.id);
    const live = control && control.at >= rec.createdAt ? control : undefined;
    if (live?.action === 'abort') throw new Stop('aborted', `aborted by ${live.by}`);
    const freeze = await exec.frozen();
    const hold = freeze ? `${rec.env} is frozen by ${freeze.by} (${freeze.reason})` : live?.action === 'pause' ? `paused by ${live.by}` : undefined;
    if (!hold) {
      if (rec.status === 'paused') {
        rec.status = 'running';
        delete rec.reason;
        await report.note(live?.action === 'resume' ? `Resumed by ${live.by}.` : 'Continuing: nothing holds the rollout any more.');
        await report.checkpoint();
      }
      return;
    }
    if (rec.status !== 'paused' || rec.reason !== hold) {
      rec.status = 'paused';
      rec.reason = hold;
      await report.note(`Paused before the next node: ${hold}.${freeze ? ` It continues after \`/chainops unfreeze ${rec.env}\`.` : ''}`, 'warn');
      await report.checkpoint();
    }
    await exec.beforeStep(); // keep the leases honest while waiting
    await sleep(500);
  }
}
