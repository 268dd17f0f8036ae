import { dirname, resolve } from 'node:path';

/**
 * What a fleet file may name, set by the operator in the process environment (never by the fleet
 * file itself, which whoever can merge to the fleet repository controls).
 */
export interface FleetGuardSettings {
  /** Environment variables a fleet file may name must start with this. @defaultValue CHAINOPS_SECRET_ */
  secretPrefix: string;
  /** Extra variable names a fleet file may name (CHAINOPS_SECRET_ALLOW, comma-separated). @defaultValue none */
  secretAllow: string[];
  /** Cookie files must lie under this directory (CHAINOPS_SECRETS_DIR). @defaultValue unset: no cookie files */
  secretsDir?: string;
  /** Playbook, module and Terraform paths must resolve inside this directory (CHAINOPS_FLEET_ROOT). @defaultValue the fleet file's directory */
  root: string;
  /** The fleet file's directory: relative paths in it resolve from here. */
  baseDir: string;
  /** Absolute Terraform binaries a fleet file may name (CHAINOPS_TOOL_ALLOW, comma-separated). @defaultValue none */
  toolAllow: string[];
}

const list = (v: string | undefined): string[] => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);

/** The guard settings from the environment, for the fleet file at `fleetPath`. */
export function guardSettingsFromEnv(env: NodeJS.ProcessEnv, fleetPath: string): FleetGuardSettings {
  const secretsDir = env['CHAINOPS_SECRETS_DIR'];
  return {
    secretPrefix: env['CHAINOPS_SECRET_PREFIX'] || 'CHAINOPS_SECRET_',
    secretAllow: list(env['CHAINOPS_SECRET_ALLOW']),
    ...(secretsDir ? { secretsDir: resolve(secretsDir) } : {}),
    root: resolve(env['CHAINOPS_FLEET_ROOT'] || dirname(resolve(fleetPath))),
    baseDir: dirname(resolve(fleetPath)),
    toolAllow: list(env['CHAINOPS_TOOL_ALLOW']),
  };
}

/** May a fleet file name this environment variable as a secret? */
export function secretNameAllowed(settings: Pick<FleetGuardSettings, 'secretPrefix' | 'secretAllow'>, name: string): boolean {
  return (settings.secretPrefix !== '' && name.startsWith(settings.secretPrefix) && name.length > settings.secretPrefix.length) || settings.secretAllow.includes(name);
}
