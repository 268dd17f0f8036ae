import { z } from 'zod';
import { ID_RE } from '../../src/fleet/names.ts';

/** A promotion tick: `tick` set for the scheduled chain (`pt-…-<n>`); unset for a nudge after a chat control. */
export const promotionJobSchema = z.object({
  v: z.literal(1),
  promotionId: z.string().regex(ID_RE),
  tick: z.number().int().nonnegative().optional(),
});
