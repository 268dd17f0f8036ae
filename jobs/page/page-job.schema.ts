import { z } from 'zod';
import { PAGE_TRANSITIONS } from '../../src/paging/page-plan.ts';

/** Tries per page job, with exponential backoff from 2 s (about a minute in all). */
export const PAGE_ATTEMPTS = 6;
export const PAGE_BACKOFF = { type: 'exponential', delay: 2_000 } as const;

/** One transition of one alert to send to its pagers. No secret: targets and keys are looked up when it runs. */
export const pageJob = z.object({
  v: z.literal(1),
  alertId: z.string().regex(/^al-[a-z0-9]{8}$/),
  transition: z.enum(PAGE_TRANSITIONS),
});
export type PageJob = z.infer<typeof pageJob>;
