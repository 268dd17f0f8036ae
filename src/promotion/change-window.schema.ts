import { z } from 'zod';

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'use a UTC time such as "09:00" or "17:30" (24:00 for midnight at the end of a day)');

/**
 * One weekly window in UTC: on each listed day from `from` to `to`. A window whose `to` is not after
 * its `from` runs past midnight into the next day (`from: "22:00", to: "02:00"`).
 */
export const changeWindowSchema = z
  .object({
    days: z.array(z.enum(WEEKDAYS)).min(1).default([...WEEKDAYS]).describe('days the window opens (UTC); default every day'),
    from: hhmm.describe('opening time, UTC'),
    to: hhmm.describe('closing time, UTC'),
  })
  .strict();

/** `change_windows:` of an environment: automatic promotion stages start only inside one; none = always open. */
export const changeWindowsSchema = z.array(changeWindowSchema).max(50).optional().describe('weekly UTC windows in which promotion stages may start; default none (always open)');

export type ChangeWindow = z.infer<typeof changeWindowSchema>;
