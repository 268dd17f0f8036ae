import type { z } from 'zod';
import { ChainopsError } from '../src/errors.ts';

/** First thing in every processor: validate the job data, or fail for good (no retries). */
export function parseJobData<S extends z.ZodType>(schema: S, data: unknown, jobId: string): z.infer<S> {
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  const where = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  throw new ChainopsError('job_data_invalid', `job ${jobId} has data this worker cannot use (${where}) — it was queued by another ChainOps version or by hand; queue it again with a chat command`);
}
