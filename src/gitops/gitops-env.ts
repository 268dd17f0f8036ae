import { z } from 'zod';

/** A git URL or local repository path we hand to `git fetch` (never an option, never a shell string). */
export const gitRepo = z
  .string()
  .max(500)
  .regex(/^(?:https:\/\/|http:\/\/|ssh:\/\/|file:\/\/|git@[A-Za-z0-9.-]+:|\/)[^\s'"`$;|&<>\\]*$/, 'use an https://, ssh://, git@host:path, file:// URL or an absolute path to a repository');
/** A branch, tag or commit: no leading dash, no `..`, no spaces. */
export const gitRef = z
  .string()
  .regex(/^(?!-)(?!.*\.\.)(?!.*\/\/)[A-Za-z0-9._/-]{1,200}$/, 'use a branch, tag or commit such as main, v1.2 or a sha');
/** Path of the fleet file inside the repository. */
export const gitPath = z
  .string()
  .regex(/^(?![/-])(?!.*\.\.)[A-Za-z0-9._/-]{1,300}$/, 'use a relative path inside the repository such as chainops.yaml or fleets/prod.yaml');

/** The fleet-from-git settings, from the process environment (they say where the fleet file lives). */
export const gitopsEnvSchema = z.object({
  /** Repository holding the fleet file (URL or absolute path); unset = the fleet file on disk is the source. */
  CHAINOPS_FLEET_GIT: gitRepo.optional(),
  /** Branch, tag or commit to follow. @defaultValue main */
  CHAINOPS_FLEET_REF: gitRef.default('main'),
  /** Fleet file inside the repository. @defaultValue chainops.yaml */
  CHAINOPS_FLEET_PATH: gitPath.default('chainops.yaml'),
  /** Where the repository is fetched to. @defaultValue <tmpdir>/chainops-gitops-<hash of the URL> */
  CHAINOPS_FLEET_CACHE: z.string().min(1).optional(),
});

export interface GitopsSettings {
  repo: string;
  ref: string;
  path: string;
  cacheDir?: string;
}

/** Git settings, or undefined when the fleet file on disk is the source. Throws with the variable's name on a bad value. */
export function readGitopsEnv(env: NodeJS.ProcessEnv): GitopsSettings | undefined {
  const parsed = gitopsEnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(`bad environment:\n${parsed.error.issues.map((i) => `  ✖ ${i.path.join('.')}: ${i.message}`).join('\n')}`);
  }
  const e = parsed.data;
  if (!e.CHAINOPS_FLEET_GIT) return undefined;
  return { repo: e.CHAINOPS_FLEET_GIT, ref: e.CHAINOPS_FLEET_REF, path: e.CHAINOPS_FLEET_PATH, ...(e.CHAINOPS_FLEET_CACHE ? { cacheDir: e.CHAINOPS_FLEET_CACHE } : {}) };
}
