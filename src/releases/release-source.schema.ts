import { z } from 'zod';
import { parseRange } from './semver.ts';
import { checkTagPattern } from './tag-pattern.ts';

/** Default tag pattern: the whole tag, without a leading `v`. */
export const DEFAULT_TAG_PATTERN = '^v?(.+)$';

const range = z
  .string()
  .max(200)
  .refine((r) => parseRange(r) !== undefined, 'use a semver range such as ">=1.2.0 <2", "^1.2", "~1.2.3", "1.x" or "*"')
  .default('*')
  .describe('semver range of versions worth announcing; default * (all)');

// Its own duration reader: fleet.schema.ts imports this file, so importing its `duration` would be a cycle.
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const duration = z
  .string()
  .regex(/^\d{1,6}(s|m|h|d)$/, 'use a duration such as 10m, 1h or 1d')
  .transform((t) => Number(t.slice(0, -1)) * UNIT_MS[t.slice(-1) as 's']);

/** Filters and timing every source kind shares. */
const common = {
  range,
  prereleases: z.boolean().default(false).describe('announce pre-releases (GitHub "prerelease" or a -rc/-beta tag) too; default false'),
  interval: duration
    .refine((ms) => ms >= 60_000, 'poll at most once a minute (use 1m or more)')
    .default(600_000)
    .describe('how often the source is polled; default 10m'),
};

const github = z
  .object({
    source: z.literal('github'),
    repo: z.string().regex(/^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}$/, 'use owner/name such as ethereum/go-ethereum'),
    tag_pattern: z
      .string()
      .default(DEFAULT_TAG_PATTERN)
      .superRefine((p, ctx) => {
        const why = checkTagPattern(p);
        if (why) ctx.addIssue({ code: 'custom', message: why });
      })
      .describe('regular expression whose first group is the version inside a tag; default ^v?(.+)$'),
    ...common,
  })
  .strict();

const npm = z
  .object({
    source: z.literal('npm'),
    package: z.string().regex(/^(?:@[a-z0-9][a-z0-9._-]{0,100}\/)?[a-z0-9][a-z0-9._-]{0,213}$/, 'use an npm package name such as ganache or @scope/name'),
    ...common,
  })
  .strict();

/** One version of a static list: a bare version, or one with the details a post shows. */
const staticVersion = z.union([
  z.string().min(1).max(64),
  z
    .object({
      version: z.string().min(1).max(64),
      name: z.string().max(200).optional(),
      url: z.string().url().max(500).optional(),
      published_at: z.string().max(40).optional().describe('ISO time, e.g. 2024-05-01T12:00:00Z'),
      notes: z.string().max(4000).optional().describe('release notes; "security", "CVE" or "vulnerability" marks the post'),
      prerelease: z.boolean().optional(),
    })
    .strict(),
]);

const staticList = z
  .object({
    source: z.literal('static'),
    versions: z.array(staticVersion).min(1).max(500).describe('the versions, as written in the fleet file'),
    ...common,
  })
  .strict();

/** `groups.<name>.releases`: where the group's client publishes releases, and which ones matter. */
export const releaseSourceSchema = z.discriminatedUnion('source', [github, npm, staticList]);

export type ReleaseSourceConfig = z.infer<typeof releaseSourceSchema>;
