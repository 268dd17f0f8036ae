import { z } from 'zod';
import { pollReleases, type ReleaseWatchDeps } from '../../src/releases/release-watch.ts';
import type { JobContext } from '../job-context.ts';
import { parseJobData } from '../parse-job-data.ts';

/** The scheduled tick of the release watch: it polls every group whose source is due. */
export const releaseJob = z.object({ v: z.literal(1), force: z.boolean().optional() });

/** How often the schedule ticks; each group is polled at its own `interval` (10m by default). @defaultValue 60 s */
export const RELEASE_TICK_MS = 60_000;

export function releaseProcessor(deps: ReleaseWatchDeps) {
  return async (job: JobContext<unknown>) => {
    const data = parseJobData(releaseJob, job.data, job.id);
    const polls = await pollReleases(deps, { force: data.force === true });
    const announced = polls.flatMap((p) => p.announced.map((v) => `${p.group} ${v}`));
    if (announced.length) await job.log(`announced: ${announced.join(', ')}`);
    return { groups: polls.map((p) => `${p.group}:${p.outcome}`), announced };
  };
}
