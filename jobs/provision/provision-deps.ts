import type { PlanLog } from '../../src/inventory/plan-log.ts';
import type { TerraformInventory } from '../../src/inventory/terraform-inventory.ts';
import type { Fleet } from '../../src/fleet/fleet.schema.ts';
import type { Redactor } from '../../src/provision/redact.ts';
import type { TerraformPort } from '../../src/provision/terraform.port.ts';
import type { PlaybookRunner } from '../../src/ports/playbook.port.ts';

/** A Terraform runner for one job, with the redactor that scrubs everything it prints. */
export type TerraformFor = (fleet: Fleet, planDir: string) => TerraformPort & { readonly redactor: Redactor };

/** What the provisioning and drift jobs need beyond WorkerDeps, injected by the worker role. */
export interface ProvisionDeps {
  terraform: TerraformFor;
  inventory: TerraformInventory;
  /** Where read-only plan results are kept for `/chainops drift` (count drift). */
  planLog?: PlanLog;
  /** Reload the fleet view (after the inventory changed) so later steps and the bot see the new nodes. */
  refreshFleet(): Promise<void>;
  /** Directory of the fleet file: terraform.dir, plan_dir and playbooks are relative to it. */
  fleetDir: string;
  /** Ansible, for the bootstrap playbook of new nodes; without it bootstrap is reported as not run. */
  playbooks?: PlaybookRunner;
  /** Short random id part for approval ids. */
  newId(): string;
  /** Lease of the env/group lock, renewed every third of it while a job runs. @defaultValue 60 s */
  lockTtlMs?: number;
  /** How long a job waits for the env/group lock before it gives up. @defaultValue 10 min */
  lockWaitMs?: number;
}
