import { join } from 'node:path';
import type { Fleet } from '../../src/fleet/fleet.schema.ts';
import { tfSettings } from '../../src/provision/tf-settings.ts';
import { TerraformRunner } from './terraform.runner.ts';

/**
 * A runner for one job, set up from the fleet's `terraform:` section: its binary (terraform or
 * tofu), its per-command timeout, and a CLI config file (TF_CLI_CONFIG_FILE from the environment,
 * else an empty `terraform.rc` in the plan dir, so Terraform does not warn about a missing one).
 */
export function terraformFor(fleet: Fleet, planDir: string): TerraformRunner {
  const s = tfSettings(fleet);
  return new TerraformRunner({ binary: s.binary, timeoutMs: s.timeout, cliConfigFile: process.env['TF_CLI_CONFIG_FILE'] ?? join(planDir, 'terraform.rc') });
}
