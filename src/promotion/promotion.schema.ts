import { z } from 'zod';
import { envName, NAME_RE } from '../fleet/names.ts';
import { durationMs, parseDelay } from './promotion-durations.ts';

const durationText = z.union([z.number().int().nonnegative(), z.string()]);

/** A duration such as `24h` (or seconds as a number), in ms. Own copy: fleet.schema imports this file. */
const duration = durationText.transform((v, ctx) => {
  const ms = durationMs(v);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: 'use a duration such as 30s, 5m, 24h or 2d' });
    return z.NEVER;
  }
  return ms;
});

const delay = durationText.transform((v, ctx) => {
  const range = parseDelay(v);
  if (!range) {
    ctx.addIssue({ code: 'custom', message: 'use a delay such as 0, 30m, or a range picked from at random such as 0-6h or 30m-2h' });
    return z.NEVER;
  }
  return range;
});

/** One stage of a promotion: an ordinary rolling upgrade of the group's nodes in `env`. */
export const promotionStageSchema = z
  .object({
    env: envName.describe('environment of this stage'),
    delay: delay.default({ minMs: 0, maxMs: 0 }).describe('wait before the stage starts: fixed (30m) or a random pick from a range (0-6h); default 0'),
    soak: duration.default(0).describe("watch the stage's nodes' alerts this long after its rollout finished; default 0"),
    auto: z.boolean().default(true).describe('start by itself once the previous stage soaked (false: wait for `promotion resume`); default true'),
    fail_on: z
      // Alert rule names (`alerts.rules[].name`, the defaults included) use dashes: `head-age`, `fork-unready`.
      .array(z.string().regex(NAME_RE, 'name an alert rule such as lag, head-age or unreachable'))
      .optional()
      .describe("alert rules that fail the stage while it soaks; default: any firing alert of the stage's nodes"),
  })
  .strict();

/** `promotion:` of a group: how a new version moves through its environments. */
export const promotionSchema = z
  .object({
    stages: z.array(promotionStageSchema).min(1).max(10).describe('environments in order, e.g. dev → staging → prod'),
    on_failure: z.enum(['rollback', 'halt']).default('rollback').describe("a failed stage rolls its rollout back (rollback) or leaves it (halt); the pipeline stops either way; default rollback"),
    start: z.enum(['manual', 'on_release']).default('manual').describe('start on `promotion start` only (manual), or also when the release watch sees a new version (on_release); default manual'),
    poll: duration.default(30_000).describe('how often a running promotion looks at its rollout, soak alerts and change windows; default 30s'),
  })
  .strict()
  .superRefine((p, ctx) => {
    const seen = new Set<string>();
    p.stages.forEach((s, i) => {
      if (seen.has(s.env)) ctx.addIssue({ code: 'custom', path: ['stages', i, 'env'], message: `environment ${s.env} is already an earlier stage; each environment appears once` });
      seen.add(s.env);
    });
  });

export type PromotionConfig = z.infer<typeof promotionSchema>;
export type PromotionStageConfig = z.infer<typeof promotionStageSchema>;
