import { Redactor } from './redactor.ts';

/** Variable names whose values are secrets whatever the configuration. */
const SECRET_NAME = /(TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|PRIVATE_KEY|API_KEY|ACCESS_KEY)/;
/** …except these, which only say where a secret is. */
const NOT_A_VALUE = /(_FILE|_PATH|_DIR|_PREFIX|_ALLOW)$/;

/**
 * The secret values in an environment: chat tokens and signing secrets, every variable whose name
 * says secret, every variable with the fleet-file secret prefix or on the operator's allowlist, and
 * the password in REDIS_URL (and the URL itself when it carries one).
 */
export function secretsOfEnv(env: NodeJS.ProcessEnv): string[] {
  const prefix = env['CHAINOPS_SECRET_PREFIX'] || 'CHAINOPS_SECRET_';
  const allow = new Set((env['CHAINOPS_SECRET_ALLOW'] ?? '').split(',').map((s) => s.trim()).filter(Boolean));
  const out: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!value || (NOT_A_VALUE.test(name) && !allow.has(name))) continue;
    if (name.startsWith(prefix) || allow.has(name) || SECRET_NAME.test(name)) out.push(value);
  }
  for (const name of ['REDIS_URL', 'CHAINOPS_FLEET_GIT']) {
    const url = env[name];
    if (!url) continue;
    try {
      const u = new URL(url.replace(/^redis\+(sentinel|cluster):/, 'redis:'));
      if (u.password) out.push(decodeURIComponent(u.password), url);
    } catch {
      // not a URL: nothing to take from it
    }
  }
  return out;
}

let shared: Redactor | undefined;

/**
 * The process's redactor: it knows every secret in the environment at first use, and every secret
 * read later (RPC passwords from cookie files, sensitive Terraform outputs) through `add`.
 */
export function processRedactor(): Redactor {
  shared ??= new Redactor(secretsOfEnv(process.env));
  return shared;
}

/** Remember a secret this process read (an RPC password, a sensitive output), so it is redacted everywhere. */
export function rememberSecret(value: unknown): void {
  processRedactor().add(value);
}
