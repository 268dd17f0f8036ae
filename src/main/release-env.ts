import { z } from 'zod';

/** Release-watch settings from the worker's environment (never from the fleet file: the token is a secret). */
const releaseEnvSchema = z.object({
  /** GitHub REST base URL (GitHub Enterprise: https://<host>/api/v3). @defaultValue https://api.github.com */
  GITHUB_API_URL: z.string().url().optional(),
  /** Token for GitHub (raises the rate limit, reads private repos); redacted everywhere like every *TOKEN. */
  GITHUB_TOKEN: z.string().min(1).optional(),
  /** npm registry base URL. @defaultValue https://registry.npmjs.org */
  NPM_REGISTRY_URL: z.string().url().optional(),
  /** How often the release schedule ticks (each group still polls at its own interval). @defaultValue 60 000 */
  CHAINOPS_RELEASE_TICK_MS: z.coerce.number().int().min(1_000).optional(),
});

export type ReleaseEnv = z.infer<typeof releaseEnvSchema>;

export function readReleaseEnv(source: NodeJS.ProcessEnv = process.env): ReleaseEnv {
  const parsed = releaseEnvSchema.safeParse(source);
  if (parsed.success) return parsed.data;
  // Name the variable, never echo its value (GITHUB_TOKEN).
  throw new Error(`bad environment:\n${parsed.error.issues.map((i) => `  ✖ ${i.path.join('.')}: ${i.message}`).join('\n')}`);
}
